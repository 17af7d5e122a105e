"""Gathering a day's digest lines from the database into each person's inbox, rule by rule.

Who hears what:
- active unit users of the assignment's unit: every rule except the escalations;
- the unit's own head (a unit account marked is_unit_head): UNIT_ESCALATION;
- active heads (the board's): ESCALATION;
- whoever asked for an extension: EXTENSION_APPROVED / EXTENSION_REFUSED.
NEW and EXTENSION_* cover the window the caller passes (planning.digest_window): (previous
working day at digest_hour, D at digest_hour], local time, so nothing created or decided
between two digests is missed or told twice.

Built for 100,000 open assignments: Core selects of the needed columns, dictionaries, the
due dates that fire found on the calendar first (so the database sends only the rows that
matter).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, FromClause, Select, and_, case, null, or_, select

from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from tracker.config import ReminderSettings, Settings
from tracker.notices.models import Conclusion, NoticeStatus, Task
from tracker.notify.text import shorten
from tracker.reminders.models import Rule
from tracker.reminders.recipients import Person
from tracker.reminders.rules import Firing, firings_by_due, rules_for
from tracker.reminders.texts import TEXT_LIMIT
from tracker.tables import table_of
from tracker.units.models import Unit
from tracker.workdays import WorkCalendar

OPEN_STATUSES = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS)
DECISION_RULES = {
    ExtensionStatus.APPROVED: Rule.EXTENSION_APPROVED,
    ExtensionStatus.REFUSED: Rule.EXTENSION_REFUSED,
}
NOT_ACTIONABLE = {
    Rule.ESCALATION,
    Rule.UNIT_ESCALATION,
    Rule.EXTENSION_APPROVED,
    Rule.EXTENSION_REFUSED,
}

_assignment = table_of(Assignment)
_task = table_of(Task)
_conclusion = table_of(Conclusion)
_unit = table_of(Unit)
_extension = table_of(ExtensionRequest)


def _remaining(calendar: WorkCalendar, day: date, due: date | None) -> int | None:
    """Working days left until `due` (negative when overdue); None without a usable date."""
    if due is None or not calendar.first_day <= due <= calendar.last_day:
        return None
    return calendar.between(day, due) if due >= day else -calendar.between(due, day)


def _item(
    assignment_id: int,
    rule: str,
    code: str,
    notice: str | None,
    task: str,
    unit: str,
    due: date | None,
) -> dict[str, Any]:
    """One line of a digest, as texts.py renders it; the caller sets its "days"."""
    return {
        "assignment_id": assignment_id,
        "rule": str(rule),
        "code": code,
        "notice": notice,
        "task": task,
        "unit": unit,
        "due": due.isoformat() if due else None,
        "days": None,
        "actionable": rule not in NOT_ACTIONABLE,
    }


def _deliver(
    inbox: dict[int, dict[tuple[int, str], dict[str, Any]]],
    recipients: Iterable[int],
    item: dict[str, Any],
) -> None:
    key = (item["assignment_id"], item["rule"])
    for user_id in recipients:
        inbox.setdefault(user_id, {})[key] = item


def _select_lines(source: FromClause, *columns: Any) -> Select[Any]:
    """`columns`, then what a digest line names: task code, task text, notice number, unit name.

    `source` is the assignment table or a join reaching it; the task, its notice and the
    assignment's unit are joined here, once for both collectors, whose rows end alike.
    """
    return select(
        *columns, _task.c.code, _task.c.text, _conclusion.c.number, _unit.c.name
    ).select_from(
        source.join(_task, _assignment.c.task_id == _task.c.id)
        .join(_conclusion, _task.c.conclusion_id == _conclusion.c.id)
        .join(_unit, _assignment.c.unit_id == _unit.c.id)
    )


def collect_date_rules(
    connection: Connection,
    inbox: dict[int, dict[tuple[int, str], dict[str, Any]]],
    *,
    day: date,
    start: datetime,
    end: datetime,
    calendar: WorkCalendar,
    settings: Settings,
    unit_users: dict[int, list[int]],
    heads: list[int],
    unit_heads: dict[int, list[int]] | None = None,
) -> None:
    """Into `inbox`: NEW and the due-date rules of every open assignment of a published notice."""
    reminders = settings.reminders
    # The due dates that fire today, found on the calendar: the database sends only those
    # rows, the recurring ones (their periods) and the new ones.
    fired_on = firings_by_due(day, calendar=calendar, settings=reminders)
    statement = _date_rule_lines(day=day, start=start, end=end, fired_on=fired_on)
    zone = ZoneInfo(settings.timezone)
    for (
        assignment_id,
        unit_id,
        due,
        new,
        recurrence,
        created_at,
        code,
        text,
        number,
        unit,
    ) in connection.execute(statement).all():
        fired = _fired_rules(
            due,
            recurrence=recurrence,
            created_at=created_at,
            fired_on=fired_on,
            day=day,
            calendar=calendar,
            zone=zone,
            settings=reminders,
        )
        if not fired and not new:
            continue
        short = shorten(text, TEXT_LIMIT)
        if new:
            item = _item(assignment_id, Rule.NEW, code, number, short, unit, due)
            item["days"] = _remaining(calendar, day, due)
            _deliver(inbox, unit_users.get(unit_id, ()), item)
        for firing in fired:
            item = _item(assignment_id, firing.rule, code, number, short, unit, firing.due)
            item["days"] = firing.days
            if firing.rule == Rule.ESCALATION:
                _deliver(inbox, heads, item)
            elif firing.rule == Rule.UNIT_ESCALATION:
                _deliver(inbox, (unit_heads or {}).get(unit_id, ()), item)
            else:
                _deliver(inbox, unit_users.get(unit_id, ()), item)


def _date_rule_lines(
    *, day: date, start: datetime, end: datetime, fired_on: dict[date, tuple[Firing, ...]]
) -> Select[Any]:
    """Open assignments of published notices that are new, due on a firing date or recurring."""
    is_new = and_(_assignment.c.created_at > start, _assignment.c.created_at <= end)
    return _select_lines(
        _assignment,
        _assignment.c.id,
        _assignment.c.unit_id,
        _assignment.c.due,
        case((is_new, True), else_=False),
        _task.c.recurrence,
        # Only recurring tasks need the creation time (parsing timestamps costs).
        case((_task.c.recurrence.is_not(None), _assignment.c.created_at), else_=null()),
    ).where(
        _assignment.c.status.in_(OPEN_STATUSES),
        _conclusion.c.status == NoticeStatus.PUBLISHED,
        or_(
            _assignment.c.due.in_(sorted(fired_on)),
            and_(_task.c.recurrence.is_not(None), _assignment.c.due > day),
            is_new,
        ),
    )


def _fired_rules(
    due: date | None,
    *,
    recurrence: str | None,
    created_at: datetime | None,
    fired_on: dict[date, tuple[Firing, ...]],
    day: date,
    calendar: WorkCalendar,
    zone: ZoneInfo,
    settings: ReminderSettings,
) -> tuple[Firing, ...]:
    """The due-date rules firing on `day` for one assignment (a recurring one on its own dates)."""
    if due is None:
        return ()
    if recurrence and created_at is not None:
        created_on = created_at.astimezone(zone).date()
        return rules_for(
            day,
            due,
            calendar=calendar,
            settings=settings,
            recurrence=recurrence,
            created_on=created_on,
        )
    return fired_on.get(due, ())


def collect_decisions(
    connection: Connection,
    inbox: dict[int, dict[tuple[int, str], dict[str, Any]]],
    *,
    day: date,
    start: datetime,
    end: datetime,
    calendar: WorkCalendar,
    people: dict[int, Person],
) -> None:
    """Into `inbox`: extension decisions since the previous digest, told to whoever asked."""
    statement = (
        _select_lines(
            _extension.join(_assignment, _extension.c.assignment_id == _assignment.c.id),
            _extension.c.assignment_id,
            _extension.c.status,
            _extension.c.requested_by_id,
            _extension.c.decision_comment,
            _assignment.c.due,
        )
        .where(
            _extension.c.status.in_(list(DECISION_RULES)),
            _extension.c.decided_at > start,
            _extension.c.decided_at <= end,
            _conclusion.c.status == NoticeStatus.PUBLISHED,
        )
        .order_by(_extension.c.decided_at)
    )
    for (
        assignment_id,
        status,
        requester,
        comment,
        due,
        code,
        text,
        number,
        unit,
    ) in connection.execute(statement):
        if requester not in people:
            continue
        rule = DECISION_RULES[ExtensionStatus(status)]
        item = _item(assignment_id, rule, code, number, shorten(text, TEXT_LIMIT), unit, due)
        item["days"] = _remaining(calendar, day, due)
        if comment and comment.strip():
            item["comment"] = shorten(comment, TEXT_LIMIT)
        _deliver(inbox, (requester,), item)
