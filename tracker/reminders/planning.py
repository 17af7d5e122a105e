"""Planning a day's reminders: one digest per person per channel, inserted into the outbox.

Planning reads the database each working day (no scheduler job per reminder): the open
assignments of published notices, the extension decisions since the previous digest, the
people and their chat links. The rules are in rules.py; the words in texts.py.

Who hears what:
- active unit users of the assignment's unit: every rule except ESCALATION;
- active heads: ESCALATION;
- whoever asked for an extension: EXTENSION_APPROVED / EXTENSION_REFUSED.
NEW and EXTENSION_* cover the window (previous working day at digest_hour, D at digest_hour],
local time, so nothing created or decided between two digests is missed or told twice.

A person with a digest already planned on a channel for the day gets no second one, even when
the items changed since; inserting is idempotent anyway (the outbox's natural key).
Built for 100,000 open assignments: Core selects of the needed columns, dictionaries, the
due dates that fire found on the calendar first (so the database sends only the rows that
matter), one bulk insert. Flushes, never commits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, FromClause, Select, and_, case, func, null, or_, select
from sqlmodel import Session

from tracker.accounts.models import ChatLink, Role, User
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from tracker.config import Settings
from tracker.notices.models import Conclusion, NoticeStatus, Task
from tracker.reminders import outbox
from tracker.reminders.models import Channel, MessageKind, Rule
from tracker.reminders.rules import Firing, firings_by_due, rules_for
from tracker.reminders.texts import RULE_RANK, digest_subject, render_digest, shorten
from tracker.units.models import Unit
from tracker.workdays import WorkCalendar, load_calendar

log = logging.getLogger(__name__)

OPEN_STATUSES = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS)
DECISION_RULES = {
    ExtensionStatus.APPROVED: Rule.EXTENSION_APPROVED,
    ExtensionStatus.REFUSED: Rule.EXTENSION_REFUSED,
}
NOT_ACTIONABLE = {Rule.ESCALATION, Rule.EXTENSION_APPROVED, Rule.EXTENSION_REFUSED}
# Overdue for longer than this gets no more reminders: the calendar would grow without end.
CALENDAR_YEARS_BACK = 10
_DIGITS = re.compile(r"(\d+)")

_assignment = Assignment.__table__
_task = Task.__table__
_conclusion = Conclusion.__table__
_unit = Unit.__table__
_extension = ExtensionRequest.__table__
_user = User.__table__
_chat_link = ChatLink.__table__


@dataclass(frozen=True)
class PlanSummary:
    """What planning a day did."""

    day: date
    is_working_day: bool
    messages_created: int = 0
    # People with at least one digest planned by this run.
    people_reminded: int = 0
    # People with something to hear and no usable channel (no chat link, no e-mail).
    people_without_channel: int = 0
    # (person, channel) pairs skipped because a digest was already planned for the day.
    already_planned: int = 0


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    role: str
    unit_id: int | None
    email: str | None


def digest_window(
    day: date, *, calendar: WorkCalendar, settings: Settings
) -> tuple[datetime, datetime]:
    """(start, end] in UTC: from the previous working day's digest hour to `day`'s."""
    zone = ZoneInfo(settings.timezone)
    at = time(settings.reminders.digest_hour)
    previous = calendar.previous_working_day(day)
    start = datetime.combine(previous, at, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    return start, end


def calendar_for(session: Session, *, day: date) -> WorkCalendar:
    """The working calendar covering `day` and the open assignments' due dates."""
    low, high = (
        session.connection()
        .execute(
            select(func.min(_assignment.c.due), func.max(_assignment.c.due)).where(
                _assignment.c.status.in_(OPEN_STATUSES)
            )
        )
        .one()
    )
    first = max(low.year, day.year - CALENDAR_YEARS_BACK) if low else day.year
    last = min(high.year, day.year + 1) if high else day.year
    return load_calendar(session, years=range(min(first, day.year), max(last, day.year) + 1))


def plan_day(
    session: Session,
    *,
    day: date,
    now: datetime,
    settings: Settings,
    calendar: WorkCalendar | None = None,
) -> PlanSummary:
    """Put each person's digest for `day` into the outbox (nothing on a day off)."""
    calendar = calendar or calendar_for(session, day=day)
    if not calendar.is_working_day(day):
        log.info("reminders: %s is not a working day, nothing planned", day)
        return PlanSummary(day=day, is_working_day=False)
    start, end = digest_window(day, calendar=calendar, settings=settings)
    connection = session.connection()
    people = _people(connection)
    unit_users: dict[int, list[int]] = {}
    heads: list[int] = []
    for person in people.values():
        if person.role == Role.UNIT and person.unit_id is not None:
            unit_users.setdefault(person.unit_id, []).append(person.id)
        elif person.role == Role.HEAD:
            heads.append(person.id)

    # person -> {(assignment id, rule): item}
    inbox: dict[int, dict[tuple[int, str], dict[str, Any]]] = {}
    _collect_date_rules(
        connection,
        inbox,
        day=day,
        start=start,
        end=end,
        calendar=calendar,
        settings=settings,
        unit_users=unit_users,
        heads=heads,
    )
    _collect_decisions(
        connection, inbox, day=day, start=start, end=end, calendar=calendar, people=people
    )

    links = _usable_links(connection, settings)
    existing = outbox.existing_keys(session, day=day, kind=MessageKind.DIGEST)
    send_at = max(now, end)
    rows: list[dict[str, Any]] = []
    reminded: set[int] = set()
    without_channel = already = 0
    for user_id, by_key in inbox.items():
        person = people[user_id]
        targets = links.get(user_id, [])
        if not targets and person.email and settings.channel_is_configured(Channel.EMAIL):
            targets = [(Channel.EMAIL, person.email, None)]
        if not targets:
            without_channel += 1
            continue
        items = sorted(by_key.values(), key=_reading_order)
        covers = outbox.covers_key(by_key)
        subject = digest_subject(day=day, items=items)
        for channel, address, chat_link_id in targets:
            if (user_id, channel) in existing:
                already += 1
                continue
            rows.append(
                {
                    "user_id": user_id,
                    "channel": channel,
                    "kind": MessageKind.DIGEST,
                    "day": day,
                    "covers": covers,
                    "address": address,
                    "chat_link_id": chat_link_id,
                    "subject": subject,
                    "body": render_digest(
                        name=person.name,
                        day=day,
                        items=items,
                        channel=channel,
                        base_url=settings.base_url,
                        show_unit=person.role != Role.UNIT,
                    ),
                    "items": items,
                    "next_attempt_at": send_at,
                }
            )
            reminded.add(user_id)
    created = outbox.enqueue(session, rows)
    summary = PlanSummary(
        day=day,
        is_working_day=True,
        messages_created=created,
        people_reminded=len(reminded),
        people_without_channel=without_channel,
        already_planned=already,
    )
    log.info("reminders planned: %s", summary)
    return summary


def _people(connection: Connection) -> dict[int, _Person]:
    rows = connection.execute(
        select(_user.c.id, _user.c.full_name, _user.c.role, _user.c.unit_id, _user.c.email).where(
            _user.c.is_active.is_(True)
        )
    )
    return {row[0]: _Person(*row) for row in rows}


def _usable_links(
    connection: Connection, settings: Settings
) -> dict[int, list[tuple[str, str, int | None]]]:
    """person -> [(channel, address, chat link id)]: the newest active link per configured
    channel."""
    configured = {
        channel
        for channel in (Channel.TELEGRAM, Channel.ZALO)
        if settings.channel_is_configured(channel)
    }
    if not configured:
        return {}
    newest: dict[tuple[int, str], tuple[str, int]] = {}
    rows = connection.execute(
        select(
            _chat_link.c.id, _chat_link.c.user_id, _chat_link.c.channel, _chat_link.c.external_id
        )
        .where(_chat_link.c.is_active.is_(True), _chat_link.c.channel.in_(configured))
        .order_by(_chat_link.c.id)
    )
    for link_id, user_id, channel, external_id in rows:
        newest[(user_id, channel)] = (external_id, link_id)
    links: dict[int, list[tuple[str, str, int | None]]] = {}
    for (user_id, channel), (address, link_id) in sorted(newest.items()):
        links.setdefault(user_id, []).append((channel, address, link_id))
    return links


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
    """One line of a digest (its "days" set by the caller); see the module docstring."""
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


def _collect_date_rules(
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
) -> None:
    """NEW and the due-date rules of every open assignment of a published notice."""
    reminders = settings.reminders
    # The due dates that fire today, found on the calendar: the database sends only those
    # rows, the recurring ones (their periods) and the new ones.
    fired_on = firings_by_due(day, calendar=calendar, settings=reminders)
    is_new = and_(_assignment.c.created_at > start, _assignment.c.created_at <= end)
    statement = _select_lines(
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
        if due is None:
            fired: tuple[Firing, ...] = ()
        elif recurrence and created_at is not None:
            created_on = _as_utc(created_at).astimezone(zone).date()
            fired = rules_for(
                day,
                due,
                calendar=calendar,
                settings=reminders,
                recurrence=recurrence,
                created_on=created_on,
            )
        else:
            fired = fired_on.get(due, ())
        if not fired and not new:
            continue
        short = shorten(text)
        if new:
            item = _item(assignment_id, Rule.NEW, code, number, short, unit, due)
            item["days"] = _remaining(calendar, day, due)
            _deliver(inbox, unit_users.get(unit_id, ()), item)
        for firing in fired:
            item = _item(assignment_id, firing.rule, code, number, short, unit, firing.due)
            item["days"] = firing.days
            recipients = heads if firing.rule == Rule.ESCALATION else unit_users.get(unit_id, ())
            _deliver(inbox, recipients, item)


def _collect_decisions(
    connection: Connection,
    inbox: dict[int, dict[tuple[int, str], dict[str, Any]]],
    *,
    day: date,
    start: datetime,
    end: datetime,
    calendar: WorkCalendar,
    people: dict[int, _Person],
) -> None:
    """Extension decisions since the previous digest, told to whoever asked."""
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
        item = _item(assignment_id, rule, code, number, shorten(text), unit, due)
        item["days"] = _remaining(calendar, day, due)
        if comment and comment.strip():
            item["comment"] = shorten(comment)
        _deliver(inbox, (requester,), item)


def _as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def _natural(code: str) -> tuple[Any, ...]:
    """'1.10' after '1.9': task codes sorted as people number them."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(code or ""))


def _reading_order(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        RULE_RANK.get(item["rule"], len(RULE_RANK)),
        item["due"] or "",
        item["notice"] or "",
        _natural(item["code"]),
        item["assignment_id"],
    )
