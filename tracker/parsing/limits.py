"""Caps on what reading one notice may cost, and the refusal that names the cap.

An uploaded file is hostile until read: a few hundred kilobytes can inflate to gigabytes (a
deflate bomb in a PDF stream or a .docx part) or hold thousands of pages. The readers check
these caps before they decode anything large; the child process that runs the parse
(`tracker.parsing.sandbox`) enforces time and memory with the kernel's limits as well.
Every cap is a TRACKER_PARSE_* setting (README.md, "Reading uploaded notices").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from tracker.parsing.errors import ParseError

MB = 1024 * 1024


@dataclass(frozen=True)
class ParseLimits:
    """What one parse may use; the defaults suit notices of a few dozen pages."""

    max_pages: int = 300
    max_part_bytes: int = 8 * MB  # one PDF stream or .docx part, once inflated
    max_inflated_bytes: int = 64 * MB  # all of them together
    max_objects: int = 200_000  # PDF objects, or entries in a .docx
    max_text_bytes: int = 2 * MB  # a plain-text notice
    max_tasks: int = 1000  # tasks in one notice (a draft's editor shows them all)
    cpu_seconds: int = 90  # CPU time of the child process (RLIMIT_CPU)
    timeout_seconds: int = 300  # wall clock: the child is killed at this age, busy or not
    # Address space of the child process (RLIMIT_AS), inherited by Tesseract and LibreOffice:
    # pdfium, numpy and soffice reserve far more than they touch, so 300 MB refused every scan
    # and .doc as "corrupt" although a scan peaks at about 210 MB resident.
    memory_bytes: int = 1024 * MB
    workers: int = 1  # parses at once per web process; later uploads wait their turn

    def to_json_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> ParseLimits:
        return cls(**{name: int(value) for name, value in data.items()})


# Setting name -> (field, unit multiplier, smallest sensible value).
SETTINGS: dict[str, tuple[str, int, int]] = {
    "TRACKER_PARSE_MAX_PAGES": ("max_pages", 1, 1),
    "TRACKER_PARSE_MAX_PART_MB": ("max_part_bytes", MB, 1),
    "TRACKER_PARSE_MAX_INFLATED_MB": ("max_inflated_bytes", MB, 1),
    "TRACKER_PARSE_MAX_OBJECTS": ("max_objects", 1, 100),
    "TRACKER_PARSE_MAX_TEXT_MB": ("max_text_bytes", MB, 1),
    "TRACKER_PARSE_MAX_TASKS": ("max_tasks", 1, 1),
    "TRACKER_PARSE_CPU_SECONDS": ("cpu_seconds", 1, 1),
    "TRACKER_PARSE_TIMEOUT_SECONDS": ("timeout_seconds", 1, 2),
    "TRACKER_PARSE_MEMORY_MB": ("memory_bytes", MB, 128),
    "TRACKER_PARSE_WORKERS": ("workers", 1, 1),
}


class LimitError(ValueError):
    """A TRACKER_PARSE_* setting that is not a whole number within reason."""


def limits_from_env(env: Mapping[str, str]) -> ParseLimits:
    """The caps from the environment; unset ones keep their defaults."""
    values: dict[str, int] = {}
    for name, (attribute, unit, minimum) in SETTINGS.items():
        raw = (env.get(name) or "").strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
            raise LimitError(
                f"{name} phải là số nguyên từ {minimum} trở lên / must be a whole number of at "
                f"least {minimum}, got {raw!r}"
            )
        values[attribute] = int(raw) * unit
    return ParseLimits(**values)


DEFAULT_LIMITS = ParseLimits()


class LimitExceeded(ParseError):
    """The document is over one of the caps; the message names the cap and its setting."""

    def __init__(self, message_vi: str, message_en: str, setting: str) -> None:
        self.setting = setting
        super().__init__(message_vi, message_en)


def _exceeded(what_vi: str, what_en: str, setting: str) -> LimitExceeded:
    return LimitExceeded(
        f"tệp vượt giới hạn {what_vi} ({setting}); hãy chia nhỏ văn bản hoặc lưu lại "
        "thành .docx/.txt chỉ gồm phần kết luận, hoặc nhờ quản trị viên nâng giới hạn",
        f"the file is over the limit of {what_en} ({setting}); split the document or save "
        "only the conclusion part as .docx/.txt, or ask the administrator to raise the limit",
        setting,
    )


def too_many_pages(limits: ParseLimits) -> LimitExceeded:
    return _exceeded(
        f"{limits.max_pages} trang", f"{limits.max_pages} pages", "TRACKER_PARSE_MAX_PAGES"
    )


def part_too_large(limits: ParseLimits) -> LimitExceeded:
    size = limits.max_part_bytes // MB
    return _exceeded(
        f"{size} MB cho một phần nội dung khi giải nén",
        f"{size} MB for one part once decompressed",
        "TRACKER_PARSE_MAX_PART_MB",
    )


def inflated_too_large(limits: ParseLimits) -> LimitExceeded:
    size = limits.max_inflated_bytes // MB
    return _exceeded(
        f"{size} MB nội dung khi giải nén",
        f"{size} MB of content once decompressed",
        "TRACKER_PARSE_MAX_INFLATED_MB",
    )


def too_many_objects(limits: ParseLimits) -> LimitExceeded:
    return _exceeded(
        f"{limits.max_objects} đối tượng",
        f"{limits.max_objects} objects",
        "TRACKER_PARSE_MAX_OBJECTS",
    )


def text_too_large(limits: ParseLimits) -> LimitExceeded:
    size = limits.max_text_bytes // MB
    return _exceeded(
        f"{size} MB cho tệp văn bản thuần",
        f"{size} MB for a plain-text file",
        "TRACKER_PARSE_MAX_TEXT_MB",
    )


def too_slow(limits: ParseLimits) -> LimitExceeded:
    return _exceeded(
        f"{limits.timeout_seconds} giây xử lý",
        f"{limits.timeout_seconds} seconds of processing",
        "TRACKER_PARSE_TIMEOUT_SECONDS",
    )


def too_much_cpu(limits: ParseLimits) -> LimitExceeded:
    return _exceeded(
        f"{limits.cpu_seconds} giây CPU",
        f"{limits.cpu_seconds} seconds of CPU time",
        "TRACKER_PARSE_CPU_SECONDS",
    )


def too_many_tasks(limits: ParseLimits) -> LimitExceeded:
    return _exceeded(
        f"{limits.max_tasks} nhiệm vụ", f"{limits.max_tasks} tasks", "TRACKER_PARSE_MAX_TASKS"
    )


def too_much_memory(limits: ParseLimits) -> LimitExceeded:
    size = limits.memory_bytes // MB
    return _exceeded(
        f"{size} MB bộ nhớ khi đọc", f"{size} MB of memory while reading", "TRACKER_PARSE_MEMORY_MB"
    )


def environment_limits() -> ParseLimits:
    """The caps from this process's environment (the CLI and the web app read the same)."""
    return limits_from_env(os.environ)
