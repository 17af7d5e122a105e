"""The body that issues a document: from "KẾT LUẬN CỦA X", the voice a letter conveys, the
header's organisation, or the number's code (CONVENTIONS A14, B7)."""

from __future__ import annotations

import re

from tracker.parsing.header import Head
from tracker.parsing.normalize import match_key
from tracker.parsing.units import Mention, UnitIndex, UnitRef


def find_issuer(head: Head, index: UnitIndex | None) -> UnitRef | None:
    """The issuing body, or None when no phrase of the head names a known one."""
    if index is None:
        return None
    for phrase in head.issuer_phrases:
        mentions = index.find(phrase)
        if mentions:
            return _speaker(phrase, mentions).ref
    if head.number and "/" in head.number:
        return index.by_code.get(head.number.rsplit("/", 1)[1].upper())
    return None


_MEMBERSHIP = re.compile(r"(?:ủy\s+viên|thành\s+viên|thường\s+trực)\s*$")
_SECOND_POST = re.compile(
    r"\s[-–]\s(?=(?:trưởng|phó|chủ\s+tịch|bí\s+thư|giám\s+đốc|ủy\s+viên|thành\s+viên)(?!\w))"
)


def _speaker(phrase: str, mentions: list[Mention]) -> Mention:
    """The body a speaker's posts name: the office held, not the board he sits on.

    "Ủy viên BTV Tỉnh ủy, Trưởng Ban Dân vận" is the board he heads (the last name); "Thủ tướng
    Chính phủ Phạm Minh Chính - Trưởng Ban Chỉ đạo" is the Government (the post before the dash).
    """
    key = match_key(phrase)
    kept = [m for m in mentions if not _MEMBERSHIP.search(key[max(0, m.start - 20) : m.start])]
    kept = kept or mentions
    dash = None if "\n" in phrase else _SECOND_POST.search(key)  # not in the header's columns
    if dash and kept[0].end <= dash.start():
        return kept[0]
    return kept[-1]
