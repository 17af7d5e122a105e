"""Evidence files: what may be uploaded (judged by content, not by name) and where it is kept."""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.config import Settings
from tracker.errors import N_, InvalidInput
from tracker.stored_files import write_in_transaction

MAX_FILES_PER_REPORT = 10

# Office formats are zip files; which one is told by the part inside.
_OFFICE_PARTS = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
}


@dataclass(frozen=True)
class Upload:
    """A file as received from a form or a chat: its name as sent, and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an accepted document or image, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf", ".pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", ".jpg"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Word 97-2003 / Excel 97-2003 files, still common in provincial offices.
        return "application/octet-stream", ".doc"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        for part, kind in _OFFICE_PARTS.items():
            if part in names:
                return kind
    return None


# Names a type may rightly carry besides its own extension.
_ALIASES = {".jpg": {".jpeg", ".jpe"}, ".doc": {".dot", ".xls", ".xlt", ".ppt", ".pps"}}
# The pre-2007 Office formats share one container; the name tells which program opens it.
_OLE_TYPES = {
    ".doc": "application/msword",
    ".dot": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".xlt": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pps": "application/vnd.ms-powerpoint",
}


def named_as(name: str, extension: str) -> str:
    """The file's name with the extension of its detected type.

    The content decides: "bienban.html" that is a PDF is kept and downloaded as "bienban.pdf",
    so no browser or desktop opens it as a web page. A name that already fits stays as it was.
    """
    suffix = Path(name).suffix.lower()
    if not extension or suffix == extension or suffix in _ALIASES.get(extension, set()):
        return name
    stem = Path(name).stem if suffix else name
    return (stem or "tep-dinh-kem")[: 200 - len(extension)] + extension


def _clean_name(filename: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "tep-dinh-kem"
    return name[-200:]


class EvidenceStore:
    """Files on disk under one folder, named at random; never served by their own name."""

    def __init__(self, root: Path, *, max_bytes: int | None = None) -> None:
        self.root = root
        # The web caps the whole request too (MAX_CONTENT_LENGTH); a chat file is checked here.
        self.max_bytes = max_bytes

    def check(self, uploads: list[Upload]) -> None:
        """Refuse the whole batch if any file is empty, too many, or of a type we do not keep."""
        if len(uploads) > MAX_FILES_PER_REPORT:
            raise InvalidInput(
                N_("Mỗi lần báo cáo đính kèm tối đa {n} tệp."), n=MAX_FILES_PER_REPORT
            )
        for upload in uploads:
            if not upload.data:
                raise InvalidInput(
                    N_("Tệp '{name}' rỗng. Chọn lại tệp cần đính kèm."),
                    name=_clean_name(upload.filename),
                )
            self.check_size(upload.filename, len(upload.data))
            if sniff(upload.data) is None:
                raise InvalidInput(
                    N_(
                        "Tệp '{name}' không phải PDF, Word, Excel, PowerPoint hay ảnh (JPEG, PNG) "
                        "nên không được nhận. Hãy lưu tài liệu sang PDF rồi đính kèm lại."
                    ),
                    name=_clean_name(upload.filename),
                )

    def save(self, session: Session, upload: Upload) -> StoredFile:
        """Write one checked file (removed again if `session` rolls back) and describe it."""
        content_type, extension = sniff(upload.data) or ("application/octet-stream", "")
        name = named_as(_clean_name(upload.filename), extension)
        content_type = _OLE_TYPES.get(Path(name).suffix.lower(), content_type)
        stored_name = secrets.token_hex(16) + Path(name).suffix.lower()
        write_in_transaction(session, self.root / stored_name, upload.data)
        return StoredFile(
            original_name=name,
            stored_name=stored_name,
            content_type=content_type,
            size_bytes=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
        )

    def check_size(self, filename: str, size: int) -> None:
        """Refuse a file larger than the installation keeps (told before it is fetched)."""
        if self.max_bytes is not None and size > self.max_bytes:
            raise InvalidInput(
                N_(
                    "Tệp '{name}' lớn quá {mb} MB nên không được nhận. Hãy nén ảnh hoặc "
                    "lưu tài liệu sang PDF nhỏ hơn rồi gửi lại."
                ),
                name=_clean_name(filename),
                mb=self.max_bytes // (1024 * 1024),
            )

    def read_limit(self) -> int | None:
        """How many bytes to fetch from a chat platform at most: one more than we keep, so a
        file over the limit is still seen to be over it."""
        return None if self.max_bytes is None else self.max_bytes + 1

    def path(self, stored_name: str) -> Path:
        """Where a stored file lives (stored names are ours, so no path tricks reach here)."""
        return self.root / Path(stored_name).name


def store_for(settings: Settings) -> EvidenceStore:
    """The installation's evidence store: the web and the chats keep files by the same rules."""
    return EvidenceStore(settings.instance_path / "uploads", max_bytes=settings.upload_max_bytes)
