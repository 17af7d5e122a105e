"""Error pages that say what happened and what to do next, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.errors import DomainError
from tracker.i18n import translate_error

log = logging.getLogger(__name__)


def _advice(code: int) -> tuple[str, str]:
    """(title, what to do next) for an HTTP status."""
    known = {
        400: (_("Yêu cầu không hợp lệ"), _("Quay lại trang trước, kiểm tra thông tin và thử lại.")),
        403: (
            _("Bạn không có quyền xem trang này"),
            _("Trang này dành cho vai trò khác. Nếu bạn cần truy cập, hãy liên hệ quản trị viên."),
        ),
        404: (
            _("Không tìm thấy trang"),
            _("Đường dẫn có thể đã cũ. Quay về trang chủ và tìm lại từ danh sách."),
        ),
        405: (_("Thao tác không được hỗ trợ"), _("Quay lại trang trước và dùng nút trên trang.")),
        413: (
            _("Tệp quá lớn"),
            _("Tệp tải lên vượt quá giới hạn {limit} MB. Hãy nén hoặc chia nhỏ tệp rồi thử lại."),
        ),
        429: (_("Thao tác quá nhiều lần"), _("Vui lòng chờ vài phút rồi thử lại.")),
    }
    return known.get(
        code,
        (
            _("Đã có lỗi xảy ra"),
            _("Thao tác chưa được lưu. Hãy thử lại; nếu lỗi lặp lại, báo cho quản trị viên."),
        ),
    )


def _page(code: int, message: str | None = None) -> tuple[str, int]:
    title, advice = _advice(code)
    if code == 413:
        advice = advice.format(limit=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))
    return render_template(
        "errors/error.html", code=code, title=title, advice=message or advice
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("Biểu mẫu đã hết hạn hoặc thiếu mã bảo mật. Tải lại trang, nhập lại và gửi lần nữa."),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        return _page(error.status_code, translate_error(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return _page(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error", exc_info=error)
        return _page(500)
