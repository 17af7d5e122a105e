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

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlmodel import Session, select

from tracker.accounts.models import User
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.assignments.status import STATUS_LABELS
from tracker.audit.models import AuditEvent
from tracker.errors import N_
from tracker.i18n import LANGUAGES, format_date
from tracker.notices.models import Conclusion, Task
from tracker.rollups.models import ExplanationRequest, Review
from tracker.units.models import Unit

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
}
DATE_FIELDS = {
    "due", "completed_on", "issued_on", "default_due", "day", "meeting_on", "requested_due",
}  # fmt: skip
UNIT_FIELDS = {"unit_id", "lead", "support"}
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "email": "E-mail"}
MISSING = "—"


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


class Names:
    """The names and links of everything a page of events mentions, looked up in bulk."""

    def __init__(self, session: Session, events: Iterable[AuditEvent]) -> None:
        events = list(events)
        ids: dict[str, set[int]] = {key: set() for key in ("unit", "user", "assignment")}
        ids |= {"conclusion": set(), "task": set(), "review": set(), "explanation": set()}
        ids["extension"] = set()
        entity_keys = {
            "assignment": "assignment",
            "conclusion": "conclusion",
            "task": "task",
            "user": "user",
            "unit": "unit",
            "review": "review",
            "explanation_request": "explanation",
            "extension_request": "extension",
        }
        for event in events:
            key = entity_keys.get(event.entity_type)
            if key and event.entity_id is not None:
                ids[key].add(event.entity_id)
            for field, values in event.changes.items():
                for value in values if isinstance(values, list) else []:
                    for item in value if isinstance(value, list) else [value]:
                        if not isinstance(item, int) or isinstance(item, bool):
                            continue
                        if field in UNIT_FIELDS:
                            ids["unit"].add(item)
                        elif field in {"user_id", "chat_user"}:
                            ids["user"].add(item)
                        elif field in {"assignment_id", "parent_id"}:
                            ids["assignment"].add(item)
        explanations = _by_id(session, ExplanationRequest, ids["explanation"])
        extensions = _by_id(session, ExtensionRequest, ids["extension"])
        ids["assignment"] |= {request.assignment_id for request in explanations.values()}
        ids["assignment"] |= {request.assignment_id for request in extensions.values()}
        self.extensions = extensions
        self.explanations = explanations
        self.assignments = {
            assignment.id: (assignment, task, notice, unit)
            for assignment, task, notice, unit in session.exec(
                select(Assignment, Task, Conclusion, Unit)
                .join(Task, Assignment.task_id == Task.id)
                .join(Conclusion, Task.conclusion_id == Conclusion.id)
                .join(Unit, Assignment.unit_id == Unit.id)
                .where(Assignment.id.in_(ids["assignment"]))
            ).all()
        }
        self.tasks = {
            task.id: (task, notice)
            for task, notice in session.exec(
                select(Task, Conclusion)
                .join(Conclusion, Task.conclusion_id == Conclusion.id)
                .where(Task.id.in_(ids["task"]))
            ).all()
        }
        self.units = _by_id(session, Unit, ids["unit"])
        self.users = _by_id(session, User, ids["user"])
        self.conclusions = _by_id(session, Conclusion, ids["conclusion"])
        self.reviews = _by_id(session, Review, ids["review"])

    def unit(self, unit_id: Any) -> Markup:
        unit = self.units.get(unit_id) if isinstance(unit_id, int) else None
        return escape(unit.name) if unit else Markup(MISSING)

    def user(self, user_id: Any) -> Markup:
        user = self.users.get(user_id) if isinstance(user_id, int) else None
        return escape(user.full_name) if user else Markup(MISSING)

    def assignment(self, assignment_id: Any) -> Markup:
        found = self.assignments.get(assignment_id)
        if found is None:
            return Markup(MISSING)
        assignment, task, notice, unit = found
        label = " · ".join(part for part in (notice.number, task.code, unit.name) if part)
        href = url_for("assignments.detail", assignment_id=assignment.id)
        return Markup('<a href="{}">{}</a>').format(href, label)

    def subject(self, event: AuditEvent) -> Markup | None:
        """The thing an event is about, named and linked (for the admin's trail)."""
        ident = event.entity_id
        if event.entity_type == "assignment":
            return self.assignment(ident)
        if event.entity_type == "explanation_request" and ident in self.explanations:
            return self.assignment(self.explanations[ident].assignment_id)
        if event.entity_type == "extension_request" and ident in self.extensions:
            return self.assignment(self.extensions[ident].assignment_id)
        if event.entity_type == "conclusion" and ident in self.conclusions:
            notice = self.conclusions[ident]
            href = url_for("notices.view", conclusion_id=ident)
            return _link(href, notice.number or notice.title[:80])
        if event.entity_type == "task" and ident in self.tasks:
            task, notice = self.tasks[ident]
            href = url_for("notices.view", conclusion_id=notice.id, _anchor=f"nhiem-vu-{ident}")
            return _link(href, " · ".join(part for part in (notice.number, task.code) if part))
        if event.entity_type == "user" and ident in self.users:
            href = url_for("admin.edit_user", user_id=ident)
            return _link(href, self.users[ident].full_name)
        if event.entity_type == "unit" and ident in self.units:
            return _link(url_for("admin.units_page"), self.units[ident].name)
        if event.entity_type == "review" and ident in self.reviews:
            href = url_for("reviews.detail", review_id=ident)
            return _link(href, self.reviews[ident].period)
        if event.entity_type == "calendar_day":
            return _link(url_for("reminders.calendar_page"), gettext("Lịch làm việc"))
        if event.entity_type == "outbox_message":
            return _link(url_for("reminders.messages"), gettext("Nhắc việc"))
        if event.entity_type == "unit_group":
            return _link(url_for("admin.units_page"), gettext("Nhóm đơn vị"))
        return None


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(model.id.in_(ids))).all()}


def _link(href: str, label: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, label)


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


def describe(session: Session, rows: Iterable[tuple[AuditEvent, User | None]]) -> list[Described]:
    """The events in words, with who did each, their notes, and what each is about."""
    rows = list(rows)
    names = Names(session, (event for event, _ in rows))
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
