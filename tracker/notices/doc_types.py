"""The kind of document a notice is (the parser's doc_type), with its label for the screens."""

from __future__ import annotations

from flask_babel import gettext

from tracker.errors import N_
from tracker.parsing.header import doc_type

DOC_TYPE_LABELS: dict[str, str] = {
    "thong_bao": N_("Thông báo, kết luận"),
    "ke_hoach": N_("Kế hoạch"),
    "chi_thi": N_("Chỉ thị, công điện"),
    "cong_van": N_("Công văn"),
    "other": N_("Văn bản khác"),
}


def doc_type_label(title: str | None) -> str:
    """What the title says the document is ("KẾ HOẠCH …" -> Kế hoạch), in the reader's language."""
    return gettext(DOC_TYPE_LABELS[doc_type(title)])
