"""Headings that are nothing but a list of actors: "4. Lực lượng vũ trang tỉnh",
"1. Thủ trưởng các sở, ban, ngành tỉnh; Chủ tịch UBND các xã, phường"."""

from __future__ import annotations

import re

from tracker.parsing.normalize import match_key
from tracker.parsing.units import UnitIndex, UnitRef

_JOINING = {"và", "các", "cùng", "đối", "với", "về", "phía"}
# Words of generic parties that may stand beside the named ones (CONVENTIONS A12): they give
# nothing, but they do not make the line more than a list of actors.
_GENERIC = {
    "thủ", "trưởng", "chủ", "tịch", "giám", "đốc", "sở", "ban", "ngành", "cơ", "quan", "đơn",
    "vị", "địa", "phương", "tỉnh", "thành", "phố", "liên", "có", "đoàn", "thể", "cấp", "của",
}  # fmt: skip


def _rest_words(index: UnitIndex, text: str) -> tuple[list[UnitRef], set[str]]:
    mentions = index.find(text)
    rest, position = [], 0
    for mention in mentions:
        rest.append(text[position : mention.start])
        position = mention.end
    rest.append(text[position:])
    words = set(re.sub(r"[\W_]+", " ", match_key(" ".join(rest))).split())
    return [m.ref for m in mentions], words


def names_only_units(index: UnitIndex | None, text: str) -> bool:
    """Whether a heading is nothing but unit names ("Lực lượng vũ trang tỉnh")."""
    if index is None:
        return False
    refs, words = _rest_words(index, text)
    return bool(refs) and words <= _JOINING


def listed_actors(index: UnitIndex, text: str) -> list[UnitRef]:
    """The named units of a heading that lists actors, generic ones beside them; else []."""
    refs, words = _rest_words(index, text)
    if not refs or not words <= _JOINING | _GENERIC:
        return []
    return list(dict.fromkeys(refs))
