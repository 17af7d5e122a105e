"""The notice's head: document number, date, title, issuing body, and where the body starts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker.parsing.normalize import fold_ws, match_key
from tracker.parsing.outline import classify

_TITLE_START = re.compile(
    r"^(?:thông\s+báo|kết\s+luận|ý\s+kiến\s+kết\s+luận|kế\s+hoạch|chỉ\s+thị|công\s+điện)(?!\w)"
)
# A letter (công văn) has no title word: its trích yếu "V/v ..." is its title.
_LETTER_SUBJECT = re.compile(r"^v/v\b|^về\s+việc\b")
_ADDRESSEE = re.compile(r"^kính\s+gửi(?!\w)")
_DOC_TYPES = (
    (re.compile(r"^(?:thông\s+báo|kết\s+luận|ý\s+kiến)"), "thong_bao"),
    (re.compile(r"^kế\s+hoạch"), "ke_hoach"),
    (re.compile(r"^(?:chỉ\s+thị|công\s+điện)"), "chi_thi"),
    (_LETTER_SUBJECT, "cong_van"),
)
_BODY_START = re.compile(r"^(?:ngày\s+\d|(?:sáng|chiều|tối|hôm\s+nay|vừa\s+qua|căn\s+cứ)(?!\w))")
_NUMBER = re.compile(r"(?<!\w)số\s*:?\s*(?P<number>\d+[a-zđ]?(?:\s*[-/]\s*[a-zđ0-9][a-zđ0-9.&]*)+)")
_FULL_DATE = re.compile(
    r"(?<!\w)ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
    r"|(?<![\w/.-])(?P<d2>\d{1,2})\s*[/.-]\s*(?P<m2>\d{1,2})\s*[/.-]\s*(?P<y2>\d{4})(?!\d)"
)
_BLANK_DATE = re.compile(r"(?<!\w)ngày\s*[.…_\s]*\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")
_CITED = re.compile(r"(?:số|/[a-zđ]+)\s*[^\s,;]*\s*$")  # "Kết luận số 120-KL/TW ngày ..."
_ISSUER_IN_TITLE = re.compile(
    r"(?:kết\s+luận|ý\s+kiến)\s+của\s+(?P<who>.+?)(?:\s+(?:tại|về|trong|ở)\s|$)"
)
_CONCLUDES = re.compile(
    r"(?P<who>[^.;:]*?)\s+(?:kết\s+luận|có\s+ý\s+kiến(?:\s+chỉ\s+đạo)?),?\s+(?:như\s+sau|như\s+sau:)"
)
_MAX_TITLE_LINES = 6
_DATE_LINE_WORDS = 12  # "Lào Cai, ngày 05 tháng 7 năm 2026"; a longer line is the body


@dataclass
class Head:
    """What the lines before the body say about the notice."""

    number: str | None
    title: str | None
    issued_on: date | None
    issuer_phrases: list[str]  # where to look for the issuing body (its last name), best first
    body_start: int
    doc_type: str = "other"  # thong_bao | ke_hoach | chi_thi | cong_van | other


def _dates(text: str) -> list[date]:
    key = match_key(text)
    found = []
    for match in _FULL_DATE.finditer(key):
        if _CITED.search(key[max(0, match.start() - 40) : match.start()]):
            continue
        try:
            found.append(
                date(
                    int(match["y"] or match["y2"]),
                    int(match["m"] or match["m2"]),
                    int(match["d"] or match["d2"]),
                )
            )
        except ValueError:
            continue
    return found


def doc_type(title: str | None) -> str:
    """The kind of document its title (or a letter's trích yếu) says it is."""
    key = match_key(title or "")
    return next((kind for pattern, kind in _DOC_TYPES if pattern.match(key)), "other")


def _locate_title(lines: list[str]) -> tuple[int, int] | None:
    for start, line in enumerate(lines[:80]):
        text = fold_ws(line)
        key = match_key(text)
        if _ADDRESSEE.match(key) and start < 3:
            return None  # a copy that starts at "Kính gửi": no header, no title
        if _LETTER_SUBJECT.match(key):
            return start, _subject_end(lines, start)
        if not _TITLE_START.match(key) or len(text.split()) > 20 or text.endswith("."):
            continue
        end, taken = start, 0
        while end < len(lines) and taken < _MAX_TITLE_LINES:
            text = fold_ws(lines[end])
            if not text:
                if not _title_goes_on(lines, start, end, taken):
                    break
                end += 1
                continue
            if classify(text).kind not in ("plain",) or (
                taken
                and (
                    _BODY_START.match(match_key(text))
                    or (text.endswith(".") and not text.isupper())
                    or (len(text.split()) > 30 and not text.isupper())
                )
            ):
                break
            taken += 1
            end += 1
        return start, end
    return None


def _title_goes_on(lines: list[str], start: int, blank: int, taken: int) -> bool:
    """Whether a title continues after a blank line: after the bare title word ("KẾ HOẠCH"),
    or from one upper-case line to the next (files with a blank line between paragraphs)."""
    if taken == 1 and len(lines[start].split()) <= 3:
        return True
    following = next((fold_ws(line) for line in lines[blank:] if fold_ws(line)), "")
    previous = fold_ws(lines[blank - 1]) if blank > start else ""
    return taken >= 1 and previous.isupper() and following.isupper() and len(following) > 3


def _subject_end(lines: list[str], start: int) -> int:
    """A trích yếu may wrap onto a second line; the date or "Kính gửi" ends it."""
    end = start + 1
    while end < len(lines) and end - start < 3:
        text = fold_ws(lines[end])
        key = match_key(text)
        if not text or _FULL_DATE.search(key) or _ADDRESSEE.match(key) or _BLANK_DATE.search(key):
            break
        if classify(text).kind != "plain" or text.endswith((".", ":")):
            break
        end += 1
    return end


def _body_after_subject(lines: list[str], end: int) -> int:
    """The letter's body starts after its date line and its "Kính gửi" block."""
    position = end
    for n in range(end, min(len(lines), end + 30)):
        key = match_key(fold_ws(lines[n]))
        dated = _FULL_DATE.search(key) or _BLANK_DATE.search(key)
        if _ADDRESSEE.match(key) or (dated and len(key.split()) <= _DATE_LINE_WORDS):
            position = n + 1
            continue
        if position > end and classify(lines[n]).kind == "dash":
            position = n + 1
            continue
        if position > end and fold_ws(lines[n]):
            break
    return position


def read_head(lines: list[str]) -> Head:
    """Number, title, date and issuer clues from the top of the notice."""
    located = _locate_title(lines)
    if located is None:
        return Head(None, None, None, [], 0, "cong_van" if _starts_at_addressee(lines) else "other")
    start, end = located
    title = fold_ws(" ".join(lines[start:end]))
    kind = doc_type(title)
    header_end = start
    if kind == "cong_van":
        header_end = end = _body_after_subject(lines, end)
    header = "\n".join(lines[:header_end])
    number_match = _NUMBER.search(match_key(header))
    number = None
    if number_match:
        number = re.sub(r"\s+", "", header[number_match.start("number") : number_match.end()])
    issued = _dates(header)
    intro = _intro(lines, end)
    if not issued and _BLANK_DATE.search(match_key(header)):
        # An unissued copy: only a meeting the text reports dates it.
        issued = [d for d in _dates(_meeting_sentences(intro))]
    elif not issued:
        issued = _dates(intro)
    phrases = []
    if who := _ISSUER_IN_TITLE.search(match_key(title)):
        phrases.append(title[who.start("who") : who.end("who")])
    if who := _CONCLUDES.search(match_key(intro)):
        phrases.append(intro[who.start("who") : who.end("who")])
    phrases.append("\n".join(lines[:start]))  # the organisation above the title or trích yếu
    return Head(number, title, issued[0] if issued else None, phrases, end, kind)


_MEETING = re.compile(r"[^.]*(?:họp|hội\s+nghị|làm\s+việc|kiểm\s+tra)[^.]*", re.IGNORECASE)


def _meeting_sentences(text: str) -> str:
    return " ".join(m.group() for m in _MEETING.finditer(text))


def _starts_at_addressee(lines: list[str]) -> bool:
    first = next((fold_ws(line) for line in lines if fold_ws(line)), "")
    return bool(_ADDRESSEE.match(match_key(first)))


def _intro(lines: list[str], start: int) -> str:
    """The paragraphs between the title and the first numbered line."""
    taken = []
    for line in lines[start : start + 40]:
        if classify(line).kind not in ("plain", "blank", "rule"):
            break
        taken.append(fold_ws(line))
    return "\n".join(taken)
