"""The outside programs some formats need: LibreOffice for .doc/.odt, Tesseract for scans.

Both are optional: without them the other formats still work, and a file that needs a missing
one is refused with the Debian package to install.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

from tracker.parsing.errors import ParseError

CONVERTER_PACKAGE = "libreoffice-writer-nogui"
OCR_PACKAGES = "tesseract-ocr tesseract-ocr-vie"
OCR_LANGUAGE = "vie"


@cache
def soffice_path() -> str | None:
    """LibreOffice's command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def tesseract_path() -> str | None:
    """Tesseract's command, when it is installed with its Vietnamese model."""
    path = shutil.which("tesseract")
    if path is None:
        return None
    try:
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    languages = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()}
    return path if OCR_LANGUAGE in languages else None


def unavailable_formats() -> list[str]:
    """Formats this machine cannot read now, each with the package that would enable it."""
    missing = []
    if soffice_path() is None:
        missing.append(f".doc, .odt (cần / needs {CONVERTER_PACKAGE})")
    if tesseract_path() is None:
        missing.append(f"PDF scan, .png, .jpg, .tif (cần / needs {OCR_PACKAGES})")
    return missing


def formats_status() -> str:
    """One line for the start-up log: which formats need an engine that is missing."""
    missing = unavailable_formats()
    if not missing:
        return (
            "Đọc được mọi định dạng (.doc/.odt qua LibreOffice, bản scan qua Tesseract) / "
            "all formats readable"
        )
    return "Chưa đọc được / not readable on this machine: " + "; ".join(missing)


def missing_converter() -> ParseError:
    return ParseError(
        "Máy chủ chưa cài LibreOffice nên chưa đọc được tệp .doc/.odt; quản trị viên hãy cài gói "
        f"{CONVERTER_PACKAGE} (apt-get install {CONVERTER_PACKAGE}), hoặc lưu tệp thành .docx",
        f"LibreOffice is not installed, so .doc/.odt files cannot be read; install the "
        f"{CONVERTER_PACKAGE} package, or save the file as .docx",
    )


def missing_ocr() -> ParseError:
    return ParseError(
        "Máy chủ chưa cài Tesseract (kèm tiếng Việt) nên chưa đọc được bản scan/ảnh; quản trị "
        f"viên hãy cài gói {OCR_PACKAGES} (apt-get install {OCR_PACKAGES}), hoặc dùng bản .docx",
        f"Tesseract with its Vietnamese model is not installed, so scans and images cannot be "
        f"read; install the packages {OCR_PACKAGES}, or use the .docx",
    )
