"""Admin pages for reminders: what was sent to whom, what failed and why, a test message,
sending a failed message again, and the working calendar's exceptions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.config import CHANNEL_VARIABLES
from tracker.db import utcnow
from tracker.fields import choices, parse_vn_date
from tracker.i18n import format_date, local_today, translate_error
from tracker.inputs import page_arg, parse_id
from tracker.permissions import can_administer
from tracker.reminders import admin, calendar_admin
from tracker.reminders.forms import (
    CHANNEL_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    CalendarDayForm,
    MessageFilterForm,
    RemoveCalendarDayForm,
    RetryForm,
    TestMessageForm,
)
from tracker.request_db import attempt, change, db
from tracker.view_guards import requires

bp = Blueprint("reminders", __name__, url_prefix="/quan-tri")

LABELS = {"status": STATUS_LABELS, "channel": CHANNEL_LABELS, "kind": KIND_LABELS}


def _recipient_choices() -> list:
    pairs: list[tuple[str, Any]] = [("", "—")]
    for person, channels in admin.list_recipients(db(), actor=current_user):
        reach = ", ".join(str(CHANNEL_LABELS[channel]) for channel in channels)
        label = f"{person.full_name} ({person.username})"
        reach = reach or _("chưa có kênh nào")
        pairs.append((str(person.id), f"{label} — {reach}"))
    return choices(pairs)


def _channel_states() -> list[tuple[Any, bool, str]]:
    """(label, switched on, the variables that switch it on) for each channel."""
    settings = current_app.extensions["tracker.settings"]
    return [
        (CHANNEL_LABELS[channel], settings.channel_is_configured(channel), variables)
        for channel, variables in CHANNEL_VARIABLES.items()
    ]


def _messages_page(
    *, test_form: TestMessageForm | None = None, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    filters = MessageFilterForm(request.args)
    page = request.args.get("trang", 1, type=page_arg)
    rows: list[admin.MessageRow] = []
    has_more = False
    if filters.validate():
        with attempt() as outcome:
            rows, has_more = admin.list_messages(
                db(),
                actor=current_user,
                status=filters.status.data or None,
                channel=filters.channel.data or None,
                day=filters.day.parsed,
                page=page,
            )
        if outcome.error is not None:
            error = error or translate_error(outcome.error)
    else:
        status = 400
    if test_form is None:
        test_form = TestMessageForm(prefix="test")
        test_form.user.choices = _recipient_choices()
    # Not url_for's own "_" arguments: ?_method=X made the pager fail to build its links.
    kept = {
        name: value
        for name, value in request.args.items()
        if name != "trang" and value and not name.startswith("_")
    }
    return render_template(
        "reminders/messages.html",
        overview=admin.delivery_overview(db(), actor=current_user, today=local_today()),
        rows=rows,
        page=page,
        has_more=has_more,
        kept=kept,
        filters=filters,
        test_form=test_form,
        retry_form=RetryForm(),
        labels=LABELS,
        channels=_channel_states(),
        error=error,
    ), (400 if error else status)


@bp.route("/nhac-viec")
@requires(can_administer)
def messages() -> tuple[str, int]:
    return _messages_page()


@bp.route("/nhac-viec/gui-thu", methods=["POST"])
@requires(can_administer)
def send_test() -> Response | tuple[str, int]:
    form = TestMessageForm(prefix="test")
    form.user.choices = _recipient_choices()
    if not form.validate_on_submit():
        return _messages_page(test_form=form, status=400)
    recipient_id = parse_id(form.user.data)
    if recipient_id is None:
        return _messages_page(test_form=form, error=_("Chọn người nhận tin thử."))
    with attempt() as outcome:
        message = admin.queue_test_message(
            db(),
            actor=current_user,
            user_id=recipient_id,
            channel=form.channel.data,
            now=utcnow(),
            settings=current_app.extensions["tracker.settings"],
        )
    if outcome.error is not None:
        return _messages_page(test_form=form, error=translate_error(outcome.error))
    flash(
        _(
            "Đã đưa tin thử (số %(id)s) qua %(channel)s vào hàng đợi. Bộ gửi tin sẽ gửi trong "
            "giây lát; tải lại trang để xem kết quả trong bảng.",
            id=message.id,
            channel=CHANNEL_LABELS[message.channel],
        ),
        "success",
    )
    return redirect(url_for(".messages"))


@bp.route("/nhac-viec/<int:message_id>/gui-lai", methods=["POST"])
@requires(can_administer)
def retry(message_id: int) -> Response | tuple[str, int]:
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as outcome:
        admin.retry_message(db(), actor=current_user, message_id=message_id)
    if outcome.error is not None:
        return _messages_page(error=translate_error(outcome.error))
    flash(_("Đã đưa tin số %(id)s trở lại hàng đợi để gửi lại.", id=message_id), "success")
    return redirect(url_for(".messages"))


def _calendar_page(
    year: int, form: CalendarDayForm, *, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    with attempt() as outcome:
        calendar = calendar_admin.calendar_year(db(), actor=current_user, year=year)
    if outcome.error is not None:
        error, year = translate_error(outcome.error), local_today().year
        calendar = calendar_admin.calendar_year(db(), actor=current_user, year=year)
    return render_template(
        "reminders/calendar.html",
        calendar=calendar,
        form=form,
        remove_form=RemoveCalendarDayForm(),
        error=error,
    ), (400 if error else status)


@bp.route("/lich-lam-viec", methods=["GET", "POST"])
@requires(can_administer)
def calendar_page() -> Response | tuple[str, int]:
    year = request.args.get("nam", type=int) or local_today().year
    form = CalendarDayForm()
    if form.validate_on_submit() and form.day.parsed is not None:
        day = form.day.parsed
        with attempt() as outcome:
            calendar_admin.add_calendar_day(
                db(),
                actor=current_user,
                day=day,
                is_working=form.kind.data == "working",
                note=form.note.data or "",
            )
        if outcome.error is not None:
            return _calendar_page(year, form, error=translate_error(outcome.error))
        message = (
            _("Đã thêm ngày làm bù %(day)s.", day=format_date(day))
            if form.kind.data == "working"
            else _("Đã thêm ngày nghỉ %(day)s.", day=format_date(day))
        )
        flash(message, "success")
        return redirect(url_for(".calendar_page", nam=day.year))
    return _calendar_page(year, form, status=400 if request.method == "POST" else 200)


@bp.route("/lich-lam-viec/<day>/xoa", methods=["POST"])
@requires(can_administer)
def remove_calendar_day(day: str) -> Response:
    parsed: date | None = parse_vn_date(day)
    if parsed is None:
        abort(404)
    if not RemoveCalendarDayForm().validate_on_submit():
        abort(400)
    with change():
        calendar_admin.remove_calendar_day(db(), actor=current_user, day=parsed)
    flash(_("Đã xóa ngoại lệ ngày %(day)s khỏi lịch.", day=format_date(parsed)), "success")
    return redirect(url_for(".calendar_page", nam=parsed.year))
