"""The inbox page (/hop-thu) and the unread count in the header."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.db import utcnow
from tracker.inbox import service
from tracker.inbox.models import InboxEntry
from tracker.inbox.wording import title
from tracker.inputs import page_arg
from tracker.redirects import same_site_path
from tracker.request_db import change, db

bp = Blueprint("inbox", __name__)


@dataclass(frozen=True)
class ShownEntry:
    entry: InboxEntry
    title: str
    detail: str


def unread_count() -> int:
    """For the header: the signed-in person's unread entries (0 when signed out); one indexed
    count per page, however often the page asks."""
    if not current_user.is_authenticated:
        return 0
    if "inbox_unread" not in g:
        g.inbox_unread = service.unread_count(db(), user_id=current_user.id)
    return int(g.inbox_unread)


def _shown(entry: InboxEntry) -> ShownEntry:
    params = entry.params or {}
    detail = str(params.get("message") or params.get("comment") or params.get("note") or "")
    return ShownEntry(entry, title(entry.topic, params, gettext=gettext, ngettext=ngettext), detail)


@bp.route("/hop-thu")
@login_required
def index() -> str:
    page = request.args.get("trang", 1, type=page_arg)
    found = service.entries(db(), actor=current_user, page=page)
    return render_template(
        "inbox/index.html",
        entries=[_shown(entry) for entry in found.entries],
        page=page,
        has_more=found.has_more,
    )


def _back() -> str:
    return same_site_path(request.form.get("next")) or url_for(".index")


@bp.post("/hop-thu/<int:entry_id>/mo")
@login_required
def open_entry(entry_id: int) -> Response:
    """Read it: marked read, then to what it is about."""
    with change():
        entry = service.mark_read(db(), actor=current_user, entry_id=entry_id, now=utcnow())
    return redirect(same_site_path(entry.link) or url_for(".index"))


@bp.post("/hop-thu/<int:entry_id>/da-doc")
@login_required
def mark_read(entry_id: int) -> Response:
    with change():
        service.mark_read(db(), actor=current_user, entry_id=entry_id, now=utcnow())
    return redirect(_back())


@bp.post("/hop-thu/<int:entry_id>/an")
@login_required
def dismiss(entry_id: int) -> Response:
    with change():
        service.dismiss(db(), actor=current_user, entry_id=entry_id, now=utcnow())
    flash(gettext("Đã ẩn mục này khỏi hộp thư."), "info")
    return redirect(_back())


@bp.post("/hop-thu/da-doc-het")
@login_required
def mark_all_read() -> Response:
    with change():
        count = service.mark_all_read(db(), actor=current_user, now=utcnow())
    flash(
        ngettext("Đã đánh dấu %(num)d mục là đã đọc.", "Đã đánh dấu %(num)d mục là đã đọc.", count),
        "info",
    )
    return redirect(_back())
