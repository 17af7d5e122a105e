"""The stored original's text with one task's paragraph marked: the secretary (or a unit)
checks a task against the document it came from in one click.

The parser keeps no record of where a task's text was read, so the paragraph is found again
by its words: the text and each line are compared with Unicode (NFC), case and spacing
normalised; the task's code helps when its text was corrected since. Only files with a text
layer are shown as text (.txt, .docx, a PDF with text); a scan or an old Word file is offered
as the original file instead (reading those again would mean OCR or LibreOffice in a request).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from tracker.accounts.models import User
from tracker.errors import N_, InvalidInput, NotFound
from tracker.notices.desk import source_document
from tracker.notices.models import Task
from tracker.parsing.errors import ParseError
from tracker.parsing.limits import DEFAULT_LIMITS, ParseLimits
from tracker.parsing.readers.docx import read_docx
from tracker.parsing.readers.ocr import has_text_layer
from tracker.parsing.readers.pdf import read_pdf
from tracker.parsing.readers.pdf_limits import check_streams
from tracker.parsing.readers.text import decode_text

PROBE_WORDS = 8
_MARKS: dict[str, str | int | None] = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-"}
PLAIN_MARKS = str.maketrans(_MARKS)
NO_TEXT = N_(
    "Tệp gốc là bản quét hoặc định dạng cũ nên không có bản chữ để đánh dấu; hãy mở tệp gốc để xem."
)


@dataclass(frozen=True)
class SourceText:
    filename: str
    lines: list[str]
    task: Task | None
    marked: range  # the lines of the task's paragraph (empty when not found)


def normalise(text: str) -> str:
    """NFC, lower case, one space between words, typographic quotes and dashes made plain."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(text.translate(PLAIN_MARKS).split())


def _extract(path: Path, limits: ParseLimits) -> list[str]:
    """The stored file's lines. A secretary checks task after task of one notice: the file is
    read once per process and kept (a few at a time), keyed by its path, size and change time
    (a stored original is never rewritten in place, but a restored backup could be)."""
    stat = path.stat()
    return list(_extracted(str(path), stat.st_size, stat.st_mtime_ns, limits))


@lru_cache(maxsize=8)
def _extracted(path_name: str, _size: int, _mtime_ns: int, limits: ParseLimits) -> tuple[str, ...]:
    return tuple(_read_lines(Path(path_name), limits))


def _read_lines(path: Path, limits: ParseLimits) -> list[str]:
    data = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            if len(data) > limits.max_text_bytes:
                raise InvalidInput(NO_TEXT)
            return decode_text(data).splitlines()
        if suffix == ".docx":
            return read_docx(data, limits)
        if suffix == ".pdf":
            check_streams(data, limits)
            if has_text_layer(data) is False:
                raise InvalidInput(NO_TEXT)
            return read_pdf(data, limits)
    except ParseError:
        raise InvalidInput(NO_TEXT) from None
    raise InvalidInput(NO_TEXT)


_LABEL = re.compile(r"^\s*(?:[-–•+*]\s*)?(?:[0-9ivxlcdm]+|[a-zđ])(?:[.)]\s*[0-9a-z]*[.)]?)*\s+")


def _first_line_with_words(folded: list[str], words: list[str]) -> int | None:
    """The first line holding a run of the task's words: from its start, then from further
    in (a task read from a table carries its unit or "Hoạt động 1 - Nội dung:" in front)."""
    size = min(PROBE_WORDS, len(words))
    for offset in range(0, max(1, min(len(words) - size + 1, 40)), 2):
        probe = " ".join(words[offset : offset + size])
        found = next((index for index, line in enumerate(folded) if probe in line), None)
        if found is not None:
            return found
    return None


def locate(lines: list[str], task: Task) -> range:
    """The lines that hold `task`'s paragraph: where its first words are, then on while the
    following lines are part of its text; by the code's label when the words are not found."""
    wanted = normalise(task.text)
    words = wanted.split()
    if not words:
        return range(0)
    folded = [normalise(line) for line in lines]
    start = _first_line_with_words(folded, words)
    if start is None:
        label = normalise(task.code)
        start = next(
            (
                index
                for index, line in enumerate(folded)
                if line.startswith((f"{label}.", f"{label})", f"{label} "))
            ),
            None,
        )
        return range(start, start + 1) if start is not None else range(0)
    end = start + 1
    while end < len(folded) and folded[end] and _LABEL.sub("", folded[end])[:60] in wanted:
        end += 1
    return range(start, end)


def source_text(
    session: Session,
    *,
    actor: User,
    conclusion_id: int,
    task_id: int | None,
    source_dir: Path,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> SourceText:
    """The original's text for someone allowed to open the original; `task_id` marks one
    task's paragraph (a task of this notice, else refused as not found)."""
    document = source_document(
        session, actor=actor, conclusion_id=conclusion_id, source_dir=source_dir
    )
    task = session.get(Task, task_id) if task_id is not None else None
    if task_id is not None and (task is None or task.conclusion_id != conclusion_id):
        raise NotFound(N_("Không tìm thấy nhiệm vụ này trong thông báo."))
    lines = _extract(document.path, limits)
    marked = locate(lines, task) if task is not None else range(0)
    return SourceText(document.filename, lines, task, marked)
