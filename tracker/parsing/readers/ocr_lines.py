"""Lines and paragraphs rebuilt from Tesseract's word boxes, as a text reader would give them.

Tesseract returns one line per printed line: the two header columns come out side by side on
one line, and every wrapped line of a justified paragraph is its own line. The parser expects
what a .docx gives: the header's left column, then the right, then one line per paragraph.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from tracker.parsing.outline import classify

_PAGE_NUMBER = re.compile(r"^\W*(?:trang\s*)?[-–]?\s*\d{1,3}(?:\s*/\s*\d{1,3})?\s*[-–]?\W*$", re.I)
# A fax machine's header: "12/01/2024 10:22 FAX 0255... P.001/003", often read as two lines.
_FAX_LINE = re.compile(
    r"\bFAX\b.*\d{1,2}:\d{2}|\d{1,2}:\d{2}.*\bFAX\b|^\W*P\W{0,3}[\dO]{3}\s*/\s*[\dO]{3}\W*$"
)
_TITLE = re.compile(
    r"^(?:thông\s+báo|kết\s+luận|chỉ\s+thị|công\s+điện|quyết\s+định|kế\s+hoạch)\b", re.I
)
_LABEL_TOKEN = re.compile(r"^(?:(?:[IVX]+|[A-ZĐ]|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]|[-•+*])$")
_COLUMN_GAP = 2.5  # a gap wider than this many text heights separates two columns
_INDENT = 1.0  # a first-line indent is at least one text height
_WRAP_SLACK = 2.5  # a line ending within this many text heights of the right margin wraps
_PARAGRAPH_GAP = 0.9  # a blank band this many text heights high ends a paragraph


@dataclass
class Word:
    text: str
    left: int
    top: int
    right: int
    bottom: int
    confidence: float


@dataclass
class Segment:
    """Words of one printed line, or one column's part of it."""

    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def left(self) -> int:
        return self.words[0].left

    @property
    def right(self) -> int:
        return self.words[-1].right

    @property
    def top(self) -> int:
        return min(word.top for word in self.words)

    @property
    def bottom(self) -> int:
        return max(word.bottom for word in self.words)


@dataclass
class PageText:
    """One page's paragraphs, and whether its last paragraph runs on to the next page."""

    paragraphs: list[str]
    runs_on: bool
    starts_paragraph: bool  # the page's first line opens a new paragraph
    confidences: list[float]


def words_of(data: dict[str, list[Any]]) -> list[list[Word]]:
    """Tesseract's image_to_data output grouped into printed lines, in reading order."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for index, text in enumerate(data["text"]):
        text = (text or "").strip()
        confidence = float(data["conf"][index])
        if not text or confidence < 0:
            continue
        key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        left, top = int(data["left"][index]), int(data["top"][index])
        lines.setdefault(key, []).append(
            Word(
                text,
                left,
                top,
                left + int(data["width"][index]),
                top + int(data["height"][index]),
                confidence,
            )
        )
    ordered = [sorted(words, key=lambda w: w.left) for words in lines.values()]
    return sorted(ordered, key=lambda words: min(w.top for w in words))


def page_text(lines: list[list[Word]], first_page: bool) -> PageText:
    """Paragraphs of one page from its printed lines."""
    confidences = [word.confidence for line in lines for word in line]
    if not lines:
        return PageText([], False, True, confidences)
    height = statistics.median(w.bottom - w.top for line in lines for w in line) or 1
    lines = [[w for w in line if not _speck(w, height)] for line in lines]
    lines = [line for line in lines if line and not _noise(" ".join(w.text for w in line))]
    if not lines:
        return PageText([], False, True, confidences)
    segments = [_split_columns(line, height) for line in lines]
    body_left = _percentile([line[0].left for line in segments], 0.2)
    body_right = _percentile([line[-1].right for line in segments], 0.9)
    start = 0
    paragraphs: list[str] = []
    if first_page:
        start, header = _header(segments, body_left, body_right)
        paragraphs += header
    runs_on = False
    starts_paragraph = True
    previous: Segment | None = None
    for parts in segments[start:]:
        for part in parts:
            new = (
                previous is None
                or not runs_on
                or part.left - body_left > _INDENT * height
                or part.top - previous.bottom > _PARAGRAPH_GAP * height
                or starts_item(part.text)
                or len(parts) > 1
            )
            if previous is None:
                starts_paragraph = part.left - body_left > _INDENT * height or starts_item(
                    part.text
                )
            if new or not paragraphs:
                paragraphs.append(part.text)
            else:
                paragraphs[-1] += " " + part.text
            runs_on = len(parts) == 1 and part.right >= body_right - _WRAP_SLACK * height
            previous = part
    return PageText(paragraphs, runs_on, starts_paragraph, confidences)


def join_pages(pages: list[PageText]) -> tuple[list[str], list[int]]:
    """All paragraphs of the document, and the page (1-based) each one starts on."""
    paragraphs: list[str] = []
    starts: list[int] = []
    runs_on = False
    for number, page in enumerate(pages, start=1):
        for index, paragraph in enumerate(page.paragraphs):
            if index == 0 and runs_on and not page.starts_paragraph and paragraphs:
                paragraphs[-1] += " " + paragraph
                continue
            paragraphs.append(paragraph)
            starts.append(number)
        if page.paragraphs:
            runs_on = page.runs_on
    return paragraphs, starts


def starts_item(text: str) -> bool:
    """Whether a printed line opens an item ("2.", "a)", "III.", "-"), not "49/TB-VPCP ..."."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return bool(_LABEL_TOKEN.match(first)) and classify(text).kind != "plain"


def _noise(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text) or _FAX_LINE.search(text) or not re.search(r"\w", text))


def _speck(word: Word, height: float) -> bool:
    """Dust, a paper edge or a drawn rule read as punctuation; real text keeps its dashes."""
    if re.search(r"\w", word.text) and not re.fullmatch(r"_+", word.text):
        return False
    small = word.right - word.left < 0.15 * height and word.bottom - word.top < 0.5 * height
    return small or bool(re.fullmatch(r"[-_—–=.~]{2,}", word.text))


def _split_columns(words: list[Word], height: float) -> list[Segment]:
    """A printed line cut where a gap is wide enough to part two columns; stray marks go."""
    parts = [Segment([words[0]])]
    for word in words[1:]:
        if word.left - parts[-1].right > _COLUMN_GAP * height:
            parts.append(Segment([word]))
        else:
            parts[-1].words.append(word)
    kept = [part for part in parts if len(re.findall(r"\w", part.text)) >= 2]
    return kept or parts[:1]


def _header(
    lines: list[list[Segment]], body_left: float, body_right: float
) -> tuple[int, list[str]]:
    """The two-column block above the title: its left column's lines, then its right's.

    It ends at the first line printed across the middle of the page on its own (the title);
    a notice with no such block gives nothing.
    """
    middle = (body_left + body_right) / 2
    width = body_right - body_left
    left_column: list[str] = []
    right_column: list[str] = []
    for index, parts in enumerate(lines):
        single = parts[0] if len(parts) == 1 else None
        if single is not None and (
            _TITLE.match(single.text)
            or single.right - single.left > 0.6 * width
            or abs((single.left + single.right) / 2 - middle) < 0.1 * width
        ):
            return index, left_column + right_column
        for part in parts:
            (left_column if (part.left + part.right) / 2 < middle else right_column).append(
                part.text
            )
        if index > 12:
            break
    return 0, []


def _percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return float(ordered[min(int(share * len(ordered)), len(ordered) - 1)])
