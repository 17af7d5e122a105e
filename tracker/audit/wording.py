"""The audit trail in words, in the reader's language, with links: what the assignment page's
history and the admin's trail show instead of internal names and ids.

"Nguyễn Văn A báo cáo 50 %", "Hạn: 30/06/2021 → 31/07/2021 (gia hạn, Trần Thị B đồng ý)".
Each action has one sentence; fields are named in words and values shown as people read them
(dates dd/mm/yyyy, statuses by name, units and people by name). Names are looked up in bulk
for the page of events being shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape
from sqlmodel import Session

from tracker.accounts.models import User
from tracker.assignments.status import STATUS_LABELS
from tracker.audit.models import AuditEvent
from tracker.audit.names import MISSING, UNIT_FIELDS, Names
from tracker.errors import N_
from tracker.i18n import LANGUAGES, format_date
from tracker.search.folding import fold

ROLE_NAMES = {
    "admin": N_("Quản trị"),
    "head": N_("Lãnh đạo"),
    "secretary": N_("Chuyên viên theo dõi"),
    "unit": N_("Đơn vị"),
}
FIELD_NAMES = {
    "due": N_("Hạn"),
    "status": N_("Trạng thái"),
    "percent": N_("Tiến độ"),
    "completed_on": N_("Ngày hoàn thành"),
    "full_name": N_("Họ tên"),
    "role": N_("Vai trò"),
    "unit_id": N_("Đơn vị"),
    "unit": N_("Đơn vị"),
    "is_active": N_("Đang hoạt động"),
    "name": N_("Tên"),
    "aliases": N_("Tên gọi khác"),
    "parent": N_("Đơn vị cấp trên"),
    "members": N_("Thành viên"),
    "text": N_("Nội dung"),
    "title": N_("Trích yếu"),
    "number": N_("Số"),
    "issued_on": N_("Ngày ban hành"),
    "period": N_("Kỳ"),
    "default_due": N_("Hạn chung"),
    "tasks": N_("Số nhiệm vụ"),
    "lead": N_("Chủ trì"),
    "support": N_("Phối hợp"),
    "day": N_("Ngày"),
    "note": N_("Ghi chú"),
    "is_working": N_("Ngày làm việc"),
    "channel": N_("Kênh"),
    "attempts": N_("Số lần gửi"),
    "last_error": N_("Lỗi gần nhất"),
    "meeting_on": N_("Ngày họp"),
    "email": N_("Thư điện tử"),
    "phone": N_("Số điện thoại"),
    "code": N_("Mã"),
}
DATE_FIELDS = {
    "due", "completed_on", "issued_on", "default_due", "day", "meeting_on", "requested_due",
}  # fmt: skip
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "email": "E-mail"}


def say(template: str, **values: Any) -> Markup:
    """`template` in the reader's language with `values` escaped (Markup values kept)."""
    return Markup(escape(gettext(template))) % values


@dataclass(frozen=True)
class Described:
    """One event as a person reads it."""

    event: AuditEvent
    sentence: Markup
    note: str | None
    subject: Markup | None


def value_of(field: str, value: Any, names: Names) -> Markup:
    """One recorded value as people read it."""
    if value is None or value == "" or value == []:
        return Markup(MISSING)
    if field in DATE_FIELDS and isinstance(value, str):
        try:
            return escape(format_date(date.fromisoformat(value[:10])))
        except ValueError:
            return escape(value)
    if field in UNIT_FIELDS:
        units = value if isinstance(value, list) else [value]
        return Markup(", ").join(names.unit(unit) for unit in units)
    if field == "status" and value in STATUS_LABELS:
        return escape(gettext(STATUS_LABELS[value]))
    if field == "role" and value in ROLE_NAMES:
        return escape(gettext(ROLE_NAMES[value]))
    if field == "percent":
        return escape(f"{value} %")
    if field == "language":
        return escape(LANGUAGES.get(str(value), str(value)))
    if field == "channel":
        return escape(CHANNEL_NAMES.get(str(value), str(value)))
    if isinstance(value, bool):
        return escape(gettext("có") if value else gettext("không"))
    if isinstance(value, list):
        return escape(", ".join(str(item) for item in value))
    return escape(str(value))


def changes_in_words(event: AuditEvent, names: Names, skip: Iterable[str] = ()) -> Markup:
    """'Hạn: 30/06/2021 → 31/07/2021; Trạng thái: …' for the fields people have names for."""
    parts = []
    for field, values in event.changes.items():
        if field in skip or field not in FIELD_NAMES or not isinstance(values, list):
            continue
        before, after = [*values, None, None][:2]
        if before is None:
            parts.append(
                say(
                    N_("%(field)s: %(after)s"),
                    field=gettext(FIELD_NAMES[field]),
                    after=value_of(field, after, names),
                )
            )
        else:
            parts.append(
                say(
                    N_("%(field)s: %(before)s → %(after)s"),
                    field=gettext(FIELD_NAMES[field]),
                    before=value_of(field, before, names),
                    after=value_of(field, after, names),
                )
            )
    return Markup("; ").join(parts)


def _after(event: AuditEvent, field: str) -> Any:
    values = event.changes.get(field)
    return values[1] if isinstance(values, list) and len(values) > 1 else None


def _before(event: AuditEvent, field: str) -> Any:
    values = event.changes.get(field)
    return values[0] if isinstance(values, list) and values else None


def _with_changes(sentence: Markup, event: AuditEvent, names: Names, *skip: str) -> Markup:
    details = changes_in_words(event, names, skip)
    return Markup("{} — {}").format(sentence, details) if details else sentence


Sentence = Callable[[AuditEvent, Markup, Names], Markup]


def _progress(event: AuditEvent, who: Markup, names: Names) -> Markup:
    percent = _after(event, "percent")
    if _after(event, "status") == "done":
        sentence = say(N_("%(who)s báo cáo hoàn thành"), who=who)
    elif percent is not None:
        sentence = say(N_("%(who)s báo cáo %(percent)s %%"), who=who, percent=percent)
    else:
        sentence = say(N_("%(who)s báo cáo tiến độ"), who=who)
    done = _after(event, "status") == "done"
    return _with_changes(
        sentence, event, names, "percent", "completed_on", *(["status"] if done else [])
    )


def _due_change(template: str) -> Sentence:
    def sentence(event: AuditEvent, who: Markup, names: Names) -> Markup:
        return say(
            template,
            who=who,
            before=value_of("due", _before(event, "due"), names),
            after=value_of("due", _after(event, "due"), names),
        )

    return sentence


def _simple(template: str, *fields: str, details: bool = False) -> Sentence:
    """A sentence whose placeholders are `who` and the after-values of `fields`."""

    def sentence(event: AuditEvent, who: Markup, names: Names) -> Markup:
        values = {field: value_of(field, _after(event, field), names) for field in fields}
        text = say(template, who=who, **values)
        return _with_changes(text, event, names, *fields) if details else text

    return sentence


def _explanation_requested(event: AuditEvent, who: Markup, names: Names) -> Markup:
    return say(
        N_("%(who)s yêu cầu giải trình nhiệm vụ %(assignment)s: “%(message)s”"),
        who=who,
        assignment=names.assignment(_after(event, "assignment_id")),
        message=_after(event, "message") or "",
    )


def _delegated(event: AuditEvent, who: Markup, names: Names) -> Markup:
    unit = _after(event, "unit")
    sentence = say(
        N_("%(who)s phân công cho %(unit)s (phần của %(parent)s)"),
        who=who,
        unit=unit if unit else names.unit(_after(event, "unit_id")),
        parent=names.assignment(_after(event, "parent_id")),
    )
    return _with_changes(sentence, event, names, "unit", "unit_id")


SENTENCES: dict[str, Sentence] = {
    "assignment.created": _simple(N_("Giao cho %(unit_id)s, hạn %(due)s"), "unit_id", "due"),
    "assignment.progress": _progress,
    "assignment.rolled_up": lambda event, who, names: _with_changes(
        say(N_("Tổng hợp tiến độ từ các đơn vị được phân công")), event, names
    ),
    "assignment.delegated": _delegated,
    "assignment.commented": _simple(N_("%(who)s góp ý: “%(comment)s”"), "comment"),
    "assignment.cancelled": _simple(N_("%(who)s hủy giao nhiệm vụ")),
    "assignment.due_corrected": _due_change(
        N_("Hạn: %(before)s → %(after)s (%(who)s điều chỉnh thông báo)")
    ),
    "assignment.due_extended": _due_change(
        N_("Hạn: %(before)s → %(after)s (gia hạn, %(who)s đồng ý)")
    ),
    "extension.requested": _simple(
        N_("%(who)s xin gia hạn đến %(requested_due)s"), "requested_due"
    ),
    "extension.approved": _simple(N_("%(who)s đồng ý đề nghị gia hạn")),
    "extension.refused": _simple(N_("%(who)s không đồng ý đề nghị gia hạn")),
    "explanation.requested": _explanation_requested,
    "explanation.answered": _simple(N_("%(who)s giải trình: “%(answer)s”"), "answer"),
    "conclusion.imported": _simple(
        N_("%(who)s nhập thông báo từ tệp %(source)s (%(tasks)s nhiệm vụ)"), "source", "tasks"
    ),
    "conclusion.draft_saved": _simple(N_("%(who)s sửa bản nháp thông báo"), details=True),
    "conclusion.published": _simple(
        N_("%(who)s ban hành thông báo, giao %(assignments)s nhiệm vụ"), "assignments"
    ),
    "task.corrected": _simple(N_("%(who)s điều chỉnh nhiệm vụ"), details=True),
    "user.created": _simple(
        N_("%(who)s tạo tài khoản %(username)s (%(role)s)"), "username", "role"
    ),
    "user.updated": lambda event, who, names: _with_changes(
        say(N_("%(who)s sửa tài khoản"), who=who)
        + (say(N_(", đặt mật khẩu mới")) if "password" in event.changes else Markup("")),
        event,
        names,
    ),
    "user.password_changed": _simple(N_("%(who)s đổi mật khẩu của mình")),
    "user.language_changed": _simple(N_("%(who)s chọn ngôn ngữ %(language)s"), "language"),
    "user.contact_changed": _simple(N_("%(who)s sửa thông tin liên hệ"), details=True),
    "chat.linked": _simple(N_("%(who)s liên kết %(channel)s"), "channel"),
    "chat.unlinked": lambda event, who, names: say(
        N_("%(who)s hủy liên kết %(channel)s"),
        who=who,
        channel=value_of("channel", _before(event, "channel"), names),
    ),
    "chat.link_failed": lambda event, who, names: say(
        N_("Liên kết %(channel)s ngừng hoạt động"),
        channel=value_of("channel", _before(event, "channel"), names),
    ),
    "unit.created": _simple(N_("%(who)s thêm đơn vị %(name)s"), "name", details=True),
    "unit.updated": _simple(N_("%(who)s cập nhật đơn vị"), details=True),
    "unit_group.created": _simple(N_("%(who)s thêm nhóm đơn vị %(name)s"), "name", details=True),
    "unit_group.updated": _simple(N_("%(who)s cập nhật nhóm đơn vị"), details=True),
    "unit_group.deleted": lambda event, who, names: say(
        N_("%(who)s xóa nhóm đơn vị %(name)s (%(code)s), gồm: %(members)s"),
        who=who,
        name=value_of("name", _before(event, "name"), names),
        code=value_of("code", _before(event, "code"), names),
        members=value_of("members", _before(event, "members"), names),
    ),
    "review.opened": _simple(N_("%(who)s mở kỳ giao ban %(period)s"), "period"),
    "review.commented": _simple(N_("%(who)s ghi nhận xét cho %(unit_id)s"), "unit_id"),
    "review.frozen": _simple(
        N_("%(who)s chốt số liệu giao ban, họp ngày %(meeting_on)s"), "meeting_on"
    ),
    "outbox.test_queued": _simple(N_("%(who)s gửi thử tin nhắn qua %(channel)s"), "channel"),
    "outbox.retried": _simple(N_("%(who)s cho gửi lại tin nhắn nhắc việc")),
    "calendar_day.added": _simple(N_("%(who)s thêm ngày %(day)s vào lịch"), "day", details=True),
    "calendar_day.removed": _simple(N_("%(who)s bỏ một ngày khỏi lịch"), details=True),
}


# The kinds of change, named for the trail's filter ("Việc"), by what they are about.
ACTION_NAMES: dict[str, str] = {
    "assignment.created": N_("Giao nhiệm vụ"),
    "assignment.progress": N_("Báo cáo tiến độ"),
    "assignment.rolled_up": N_("Tổng hợp tiến độ"),
    "assignment.delegated": N_("Phân công cho đơn vị cấp dưới"),
    "assignment.commented": N_("Góp ý nhiệm vụ"),
    "assignment.cancelled": N_("Hủy giao nhiệm vụ"),
    "assignment.due_corrected": N_("Điều chỉnh hạn"),
    "assignment.due_extended": N_("Gia hạn"),
    "extension.requested": N_("Xin gia hạn"),
    "extension.approved": N_("Đồng ý gia hạn"),
    "extension.refused": N_("Không đồng ý gia hạn"),
    "explanation.requested": N_("Yêu cầu giải trình"),
    "explanation.answered": N_("Giải trình"),
    "conclusion.imported": N_("Nhập thông báo"),
    "conclusion.draft_saved": N_("Sửa bản nháp thông báo"),
    "conclusion.draft_deleted": N_("Xóa bản nháp thông báo"),
    "conclusion.due_dates_moved": N_("Dời hạn hàng loạt"),
    "conclusion.published": N_("Ban hành thông báo"),
    "task.corrected": N_("Điều chỉnh nhiệm vụ"),
    "user.created": N_("Tạo tài khoản"),
    "user.updated": N_("Sửa tài khoản"),
    "user.password_changed": N_("Đổi mật khẩu"),
    "user.language_changed": N_("Chọn ngôn ngữ"),
    "user.contact_changed": N_("Sửa thông tin liên hệ"),
    "chat.linked": N_("Liên kết tin nhắn"),
    "chat.unlinked": N_("Hủy liên kết tin nhắn"),
    "chat.link_failed": N_("Liên kết tin nhắn ngừng hoạt động"),
    "unit.created": N_("Thêm đơn vị"),
    "unit.updated": N_("Sửa đơn vị"),
    "unit_group.created": N_("Thêm nhóm đơn vị"),
    "unit_group.updated": N_("Sửa nhóm đơn vị"),
    "unit_group.deleted": N_("Xóa nhóm đơn vị"),
    "review.opened": N_("Mở kỳ giao ban"),
    "review.commented": N_("Nhận xét giao ban"),
    "review.frozen": N_("Chốt số liệu giao ban"),
    "outbox.test_queued": N_("Gửi thử tin nhắn"),
    "outbox.retried": N_("Gửi lại tin nhắn"),
    "calendar_day.added": N_("Thêm ngày vào lịch"),
    "calendar_day.removed": N_("Bỏ ngày khỏi lịch"),
}


OTHER_ACTIONS = "khac"  # the filter's value for kinds of change the product has no name for


def action_choices(recorded: Iterable[str]) -> list[tuple[str, str]]:
    """(value, name) for the trail's filter: every kind of change the product names, in the
    reader's language and alphabetical order; then "other kinds" when the trail holds kinds
    without a name (internal action names are never shown)."""
    named = [(action, gettext(name)) for action, name in ACTION_NAMES.items()]
    named.sort(key=lambda pair: fold(pair[1]))
    if any(action not in ACTION_NAMES for action in recorded):
        named.append((OTHER_ACTIONS, gettext("Việc khác")))
    return named


def describe(
    session: Session,
    rows: Iterable[tuple[AuditEvent, User | None]],
    reader: User | None = None,
) -> list[Described]:
    """The events in words, with who did each, their notes, and what each is about (linked
    when `reader` may open it; see `Names`)."""
    rows = list(rows)
    names = Names(session, (event for event, _ in rows), reader)
    described = []
    for event, actor in rows:
        who = escape(actor.full_name) if actor else escape(gettext("Hệ thống"))
        sentence = SENTENCES.get(event.action)
        if sentence is None:
            text = _with_changes(say(N_("%(who)s thay đổi dữ liệu"), who=who), event, names)
        else:
            text = sentence(event, who, names)
        described.append(Described(event, text, event.note, names.subject(event)))
    return described
