"""Parsing what OCR read: unit names put right against the directory, every task flagged.

The text goes through the same parser as a .docx. Before that, names of units that OCR
misread by a mark or two ("Bộ Tài chinh", "Sở Nội vu") are matched fuzzily against the unit
directory and written as the directory spells them; the score goes into a warning. After it,
every task is marked for review with the page it was read from, and the result says "ocr".
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from tracker.parsing.document import parse_lines
from tracker.parsing.header import read_head
from tracker.parsing.normalize import canonical, clean_line, fold_ws, strip_marks
from tracker.parsing.readers.ocr import OcrReading
from tracker.parsing.result import ParseResult
from tracker.units.directory import DirectoryGroup, DirectoryUnit, UnitDirectory

NAME_CUTOFF = 80  # rapidfuzz ratio (0-100) between the words read and a directory name
_MIN_NAME = 10  # shorter names ("Sở Nội vụ" / "Bộ Nội vụ") differ by too little to guess
# Phrases the parser keys on (roles, deadlines, recurrence), by their spelling without marks.
_PHRASES = {
    strip_marks(phrase): phrase
    for phrase in (
        "chủ trì", "phối hợp", "đề nghị", "tổ chức", "trước ngày", "hoàn thành", "báo cáo",
        "tham mưu", "thực hiện", "theo dõi", "đôn đốc", "hằng tháng", "hằng quý", "hằng năm",
        "định kỳ", "kiểm tra", "tổng hợp", "hướng dẫn", "nơi nhận",
    )
}  # fmt: skip
_SURE = 95  # a long name this similar is taken even when more than marks differ
_WORD = re.compile(r"\S+")
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_INNER_PUNCTUATION = re.compile(r"[,.;:()\[\]“”\"]")
_EDGE_PUNCTUATION = "\"'“”‘’()[],.;:!?"


@dataclass
class NameFix:
    paragraph: int
    read: str
    name: str
    score: float


@dataclass
class ScannedParseResult(ParseResult):
    """A ParseResult read by OCR: the JSON adds "ocr": true, the mean confidence and pages."""

    ocr_confidence: float = 0.0
    pages: int = 0
    name_fixes: list[NameFix] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        document = super().to_json_dict()
        document["ocr"] = True
        document["ocr_confidence"] = round(self.ocr_confidence, 1)
        document["pages"] = self.pages
        return document


def parse_scanned(
    reading: OcrReading, source: str, directory: UnitDirectory | None
) -> ScannedParseResult:
    """Parse OCR output; every task needs review and names the page it was read from."""
    paragraphs = list(reading.paragraphs)
    phrases = correct_common_phrases(paragraphs)
    fixes = correct_unit_names(paragraphs, directory) if directory else []
    parsed = parse_lines(paragraphs, source, directory)
    if parsed.kind == "article":
        parsed = _notice_without_tasks(parsed, paragraphs)
    result = ScannedParseResult(
        **{name: getattr(parsed, name) for name in ParseResult.__dataclass_fields__},
        ocr_confidence=reading.confidence,
        pages=reading.page_count,
        name_fixes=fixes,
    )
    keys = [fold_ws(p) for p in paragraphs]
    notice_warnings = [
        f"Văn bản được đọc bằng OCR từ {reading.page_count} trang (độ tin cậy trung bình "
        f"{reading.confidence:.0f}%): cần đối chiếu với bản gốc / read by OCR from "
        f"{reading.page_count} page(s) (mean confidence {reading.confidence:.0f}%): check "
        "against the original"
    ]
    if phrases:
        notice_warnings.append(
            f"OCR: sửa dấu {phrases} cụm từ thường gặp (như “chủ trì”, “phối hợp”) / OCR: "
            f"the marks of {phrases} common phrase(s) (such as 'chủ trì') were corrected"
        )
    task_warnings: list[str] = []
    for task in result.tasks:
        where = _paragraph_of(fold_ws(task.text), keys)
        page = reading.pages[where] if where is not None else None
        task.needs_review = True
        task.warnings.insert(
            0,
            f"Đọc bằng OCR từ trang {page}: cần kiểm tra / read by OCR from page {page}: check it"
            if page
            else "Đọc bằng OCR: cần kiểm tra / read by OCR: check it",
        )
        for fix in fixes:
            if fix.name in task.text:
                task.warnings.append(_fix_warning(fix))
        task_warnings += [f"[{task.code}] {w}" for w in task.warnings[:1]]
        task_warnings += [f"[{task.code}] {w}" for w in task.warnings[1:] if "OCR" in w]
    result.warnings = list(
        dict.fromkeys(
            notice_warnings + [_fix_warning(fix) for fix in fixes] + result.warnings + task_warnings
        )
    )
    return result


def _notice_without_tasks(parsed: ParseResult, paragraphs: list[str]) -> ParseResult:
    """A photo of a notice's first page has its head but no numbered task: still a notice.

    Read as a news item it would lose its number; with a notice's number and title above the
    text it is kept as a notice with no task, saying that pages may be missing.
    """
    head = read_head([clean_line(p) for p in paragraphs])
    if not (head.number and head.title):
        return parsed
    parsed.kind, parsed.number, parsed.title = "conclusion", head.number, head.title
    parsed.issued_on = head.issued_on or parsed.issued_on
    parsed.tasks = []
    parsed.warnings = [
        "Không thấy nhiệm vụ đánh số trên các trang đã đọc (có thể thiếu trang) / no numbered "
        "task on the pages read (pages may be missing)",
        *(w for w in parsed.warnings if not w.startswith(("Văn bản dạng tin bài", "["))),
    ]
    return parsed


def correct_common_phrases(paragraphs: list[str]) -> int:
    """Put the tone marks right, in place, in the phrases the parser's rules look for.

    Only marks change, and only in two-word phrases ("chú trì", "phôi hợp", "Đê nghị"):
    no other Vietnamese phrase is spelled the same without its marks.
    """
    count = 0
    for number, paragraph in enumerate(paragraphs):
        words = list(_LETTER_WORD.finditer(paragraph))
        pieces: list[str] = []
        position = 0
        for first, second in itertools.pairwise(words):
            read = paragraph[first.start() : second.end()]
            if first.start() < position or paragraph[first.end() : second.start()] != " ":
                continue
            bare = strip_marks(read.lower())
            phrase = _PHRASES.get(bare)
            if phrase is None or canonical(read).lower() == phrase:
                continue
            if read[0].isupper():
                phrase = phrase[0].upper() + phrase[1:]
            pieces += [paragraph[position : first.start()], phrase]
            position = second.end()
            count += 1
        paragraphs[number] = "".join(pieces) + paragraph[position:]
    return count


def correct_unit_names(paragraphs: list[str], directory: UnitDirectory) -> list[NameFix]:
    """Rewrite, in place, unit names OCR got nearly right; returns what was changed."""
    names: dict[int, list[str]] = {}
    entries: tuple[DirectoryUnit | DirectoryGroup, ...] = (*directory.units, *directory.groups)
    for entry in entries:
        for name in (entry.name, *entry.aliases):
            if len(name) >= _MIN_NAME and len(name.split()) >= 2:
                names.setdefault(len(name.split()), []).append(_nfc(name))
    exact = {canonical(name).lower() for group in names.values() for name in group}
    sizes = sorted(names, reverse=True)
    fixes: list[NameFix] = []
    for number, paragraph in enumerate(paragraphs):
        spans = [(m.start(), m.end()) for m in _WORD.finditer(paragraph)]
        pieces: list[str] = []
        position = index = 0
        while index < len(spans):
            fix: tuple[int, int, int, NameFix | None] | None = None
            for size in sizes:
                window = spans[index : index + size]
                if len(window) < size or not paragraph[window[0][0]].isupper():
                    continue
                start, end = window[0][0], window[-1][1]
                read = paragraph[start:end].rstrip(_EDGE_PUNCTUATION)
                end = start + len(read)
                if _INNER_PUNCTUATION.search(read):
                    continue  # "các Bộ: Nông nghiệp và Môi trường" lists, it does not name
                if canonical(read).lower() in exact:
                    fix = (size, start, end, None)
                    break
                best = process.extractOne(
                    read, names[size], scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF
                )
                if best and (
                    # marks aside, at most one letter differs ("Tỉnh úv" for "Tỉnh ủy")
                    Levenshtein.distance(strip_marks(read.lower()), strip_marks(best[0].lower()))
                    <= 1
                    or (best[1] >= _SURE and len(read) >= 2 * _MIN_NAME)
                ):
                    fix = (size, start, end, NameFix(number, read, best[0], best[1]))
                    break
            if fix is None:
                index += 1
                continue
            size, start, end, name_fix = fix
            if name_fix is not None:
                pieces += [paragraph[position:start], name_fix.name]
                position = end
                fixes.append(name_fix)
            index += size
        paragraphs[number] = "".join(pieces) + paragraph[position:]
    return fixes


def _fix_warning(fix: NameFix) -> str:
    return (
        f"OCR: “{fix.read}” được sửa thành “{fix.name}” theo danh mục đơn vị (giống "
        f"{fix.score:.0f}%) / OCR: '{fix.read}' corrected to '{fix.name}' from the unit "
        f"directory ({fix.score:.0f}% similar)"
    )


def _paragraph_of(text: str, keys: list[str]) -> int | None:
    """The paragraph a task's text was taken from (its opening words), if found."""
    probe = text[:40]
    for index, key in enumerate(keys):
        if probe and probe in key:
            return index
    best = process.extractOne(text[:80], keys, scorer=fuzz.partial_ratio, score_cutoff=80)
    return best[2] if best else None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
