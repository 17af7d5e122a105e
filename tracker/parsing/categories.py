"""Lists after a category: "các tỉnh Nghệ An, Quảng Ngãi, Cao Bằng", "các Bộ: Tài chính, Nội vụ",
"các Tập đoàn: Bưu chính Viễn thông Việt Nam, …" name one unit per item (CONVENTIONS A10, B16).

The category word is written once; the directory knows "tỉnh Quảng Ngãi" and "Bộ Nội vụ". So
before units are looked up, each item gets the category word in front of it. Only the copy
read for roles is rewritten; the task's text stays as written.
"""

from __future__ import annotations

import re

from tracker.parsing.units import UnitIndex

# The category words a list can follow; roles.py reads "các Bộ: ⟨0⟩, ⟨1⟩" with the same list.
CATEGORY_WORDS = (
    r"bộ|tỉnh(?:\s*,\s*thành\s+phố)?|thành\s+phố|tập\s+đoàn|tổng\s+công\s+ty|sở|"
    r"(?:phường|xã)(?:\s*,\s*(?:phường|xã|đặc\s+khu))*|huyện|quận"
)
_CATEGORY = re.compile(
    r"(?<!\w)(?P<body>(?:chủ\s+tịch\s+)?(?:ủy\s+ban\s+nhân\s+dân|ubnd)\s+)?"
    rf"các\s+(?P<word>{CATEGORY_WORDS})"
    r"(?P<more>\s*,\s*cơ\s+quan(?:\s+ngang\s+bộ)?)?(?P<colon>\s*:)?\s+(?=[^\W\d_])",
    re.IGNORECASE,
)
# The next item of the list: after a comma or "và", a capitalised word that is not already a
# category word of its own ("Bộ Y tế" stays as it is).
_NEXT = re.compile(r"(?:\s*,\s*|\s+và\s+)(?=\w)")
_END = re.compile(r"[.;:()]|,\s*(?=\w)")
_OWN_CATEGORY = re.compile(
    r"(?:bộ|tỉnh|thành\s+phố|tập\s+đoàn|tổng\s+công\s+ty|sở|phường|xã|huyện|quận|ủy\s+ban|ubnd)\s",
    re.IGNORECASE,
)


def spell_out_lists(text: str, index: UnitIndex) -> str:
    """`text` with the category word put before every item of a category list that then
    reads as a known unit ("các tỉnh A, B" -> "các tỉnh A, tỉnh B")."""
    if "các" not in text.lower():
        return text
    out: list[str] = []
    position = 0
    for match in _CATEGORY.finditer(text):
        if match.start() < position:
            continue
        word = match["word"]
        end = next(
            (m.start() for m in _END.finditer(text, match.end() + 1) if _ends_list(text, m)),
            len(text),
        )
        region = text[match.end() : end]
        starts = [0] if (match["colon"] or match["more"]) else []
        starts += [m.end() for m in _NEXT.finditer(region) if region[m.end()].isupper()]
        pieces: list[str] = []
        covered, cursor = 0, 0
        if not starts or starts[0] != 0:
            covered = _known_length(index, match["word"], region, 0, bare=True)
        for start in starts:
            if start < covered or _OWN_CATEGORY.match(region, start):
                continue
            # "các tỉnh, thành phố: A, B": each item is "tỉnh A" or "thành phố B"; after
            # "UBND các phường: A, B" it may be known only as "Ủy ban nhân dân phường A".
            for each in _item_words(word, bool(match["body"])):
                length = _known_length(index, each, region, start)
                if length:
                    pieces.append(region[cursor:start] + f"{each} ")
                    cursor, covered = start, start + length
                    break
        if not pieces:
            continue  # no list of known names here ("các bộ, cơ quan liên quan")
        out += [text[position : match.end()], *pieces, region[cursor:]]
        position = end
    out.append(text[position:])
    return "".join(out)


def _item_words(word: str, of_committee: bool) -> list[str]:
    words = re.split(r"\s*,\s*", word)
    return words + [f"Ủy ban nhân dân {w}" for w in words] if of_committee else words


def _ends_list(text: str, match: re.Match[str]) -> bool:
    """Punctuation ends the list; a comma only before a lower-case word (the sentence goes on)."""
    return match.group()[0] != "," or text[match.end()].islower()


def _known_length(index: UnitIndex, word: str, region: str, start: int, bare: bool = False) -> int:
    """How much of `region` from `start` a known name covers once the word is put before it."""
    probe = region[start:] if bare else f"{word} {region[start:]}"
    mentions = index.find(probe)
    if not mentions or mentions[0].start != 0:
        return 0
    return mentions[0].end - (0 if bare else len(word) + 1)
