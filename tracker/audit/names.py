"""Names and links of what audit events mention, looked up in bulk for a page of events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.audit.models import AuditEvent
from tracker.notices.models import Conclusion, Task
from tracker.permissions import (
    can_administer,
    can_manage_reviews,
    can_view_all_assignments,
    can_work_for_a_unit,
)
from tracker.rollups.models import ExplanationRequest, Review
from tracker.units.models import Unit, UnitGroup
from tracker.units.queries import unit_scope

# Fields whose values are unit ids; shown by the units' names.
UNIT_FIELDS = {"unit_id", "lead", "support"}
MISSING = "—"


def _mentioned_ids(events: list[AuditEvent]) -> dict[str, set[int]]:
    """Every id the events mention, by kind: the entity of each event and the ids in its changes."""
    ids: dict[str, set[int]] = {key: set() for key in ("unit", "user", "assignment")}
    ids["unit_group"] = set()
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
        "unit_group": "unit_group",
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
    return ids


class Names:
    """The names and links of everything a page of events mentions, looked up in bulk.

    A name is a link only when `reader` may open the page it leads to (the admin reads the
    trail but not the units' assignments); without a reader every name is a link."""

    def __init__(
        self, session: Session, events: Iterable[AuditEvent], reader: User | None = None
    ) -> None:
        events = list(events)
        self.reader = reader
        self._session = session
        self._scope: set[int] | None = None
        ids = _mentioned_ids(events)
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
                .join(Task, col(Assignment.task_id) == col(Task.id))
                .join(Conclusion, col(Task.conclusion_id) == col(Conclusion.id))
                .join(Unit, col(Assignment.unit_id) == col(Unit.id))
                .where(col(Assignment.id).in_(ids["assignment"]))
            ).all()
        }
        self.tasks = {
            task.id: (task, notice)
            for task, notice in session.exec(
                select(Task, Conclusion)
                .join(Conclusion, col(Task.conclusion_id) == col(Conclusion.id))
                .where(col(Task.id).in_(ids["task"]))
            ).all()
        }
        self.units = _by_id(session, Unit, ids["unit"])
        self.users = _by_id(session, User, ids["user"])
        self.conclusions = _by_id(session, Conclusion, ids["conclusion"])
        self.reviews = _by_id(session, Review, ids["review"])
        self.groups = _by_id(session, UnitGroup, ids["unit_group"])

    def _may(self, rule: Any) -> bool:
        return self.reader is None or bool(rule(self.reader))

    def _may_see_assignment(self, assignment: Assignment) -> bool:
        """Conservative: a unit's account gets links to its own (and its sub-units') work."""
        if self._may(can_view_all_assignments):
            return True
        if self.reader is None or not can_work_for_a_unit(self.reader):
            return False
        if self._scope is None:
            self._scope = unit_scope(self._session, self.reader.unit_id or 0)
        return assignment.unit_id in self._scope

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
        if not self._may_see_assignment(assignment):
            return escape(label)
        return _link(url_for("assignments.detail", assignment_id=assignment.id), label)

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
            return self._link(can_view_all_assignments, href, notice.number or notice.title[:80])
        if event.entity_type == "task" and ident in self.tasks:
            task, notice = self.tasks[ident]
            href = url_for("notices.view", conclusion_id=notice.id, _anchor=f"nhiem-vu-{ident}")
            label = " · ".join(part for part in (notice.number, task.code) if part)
            return self._link(can_view_all_assignments, href, label)
        if event.entity_type == "user" and ident in self.users:
            href = url_for("admin.edit_user", user_id=ident)
            return self._link(can_administer, href, self.users[ident].full_name)
        if event.entity_type == "unit" and ident in self.units:
            href = url_for("admin.edit_unit", unit_id=ident)
            return self._link(can_administer, href, self.units[ident].name)
        if event.entity_type == "unit_group" and ident in self.groups:
            href = url_for("admin.edit_group", group_id=ident)
            label = gettext("Nhóm: %(name)s", name=self.groups[ident].name)
            return self._link(can_administer, href, label)
        if event.entity_type == "review" and ident in self.reviews:
            href = url_for("reviews.detail", review_id=ident)
            return self._link(can_manage_reviews, href, self.reviews[ident].period)
        if event.entity_type == "calendar_day":
            href = url_for("reminders.calendar_page")
            return self._link(can_administer, href, gettext("Lịch làm việc"))
        if event.entity_type == "outbox_message":
            return self._link(can_administer, url_for("reminders.messages"), gettext("Nhắc việc"))
        return None

    def _link(self, rule: Any, href: str, label: str) -> Markup:
        """A link to `href` when the reader may open it, else the name alone."""
        return _link(href, label) if self._may(rule) else escape(label)


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(model.id.in_(ids))).all()}


def _link(href: str, label: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, label)
