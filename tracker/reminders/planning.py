"""Planning a day's reminders: one digest per person per channel, inserted into the outbox.

Planning reads the database each working day (no scheduler job per reminder): the open
assignments of published notices, the extension decisions since the previous digest, the
people and their chat links. The rules are in rules.py, the words in texts.py; collect.py
gathers the lines (and says who hears what), recipients.py finds the people and their links.

A person with a digest already planned on a channel for the day gets no second one, even when
the items changed since; inserting is idempotent anyway (the outbox's natural key).
The digests go into the outbox in one bulk insert. Flushes, never commits.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from tracker.accounts.models import Role
from tracker.assignments.models import Assignment
from tracker.config import Settings
from tracker.notify.channels import Channel
from tracker.reminders import outbox
from tracker.reminders.collect import OPEN_STATUSES, collect_date_rules, collect_decisions
from tracker.reminders.models import MessageKind
from tracker.reminders.quiet import first_allowed, local_time_on
from tracker.reminders.recipients import Person, active_people, usable_links
from tracker.reminders.texts import RULE_RANK, digest_subject, render_digest
from tracker.tables import table_of
from tracker.workdays import WorkCalendar, load_calendar

log = logging.getLogger(__name__)

# Overdue for longer than this gets no more reminders: the calendar would grow without end.
CALENDAR_YEARS_BACK = 10
_DIGITS = re.compile(r"(\d+)")

_assignment = table_of(Assignment)


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
    people = active_people(connection)
    unit_users, unit_heads, heads = _audiences(people)

    # person -> {(assignment id, rule): item}
    inbox: dict[int, dict[tuple[int, str], dict[str, Any]]] = {}
    collect_date_rules(
        connection,
        inbox,
        day=day,
        start=start,
        end=end,
        calendar=calendar,
        settings=settings,
        unit_users=unit_users,
        heads=heads,
        unit_heads=unit_heads,
    )
    collect_decisions(
        connection, inbox, day=day, start=start, end=end, calendar=calendar, people=people
    )

    links = usable_links(connection, settings)
    existing = outbox.existing_keys(session, day=day, kind=MessageKind.DIGEST)
    rows, reminded, without_channel, already = _digest_rows(
        inbox,
        people=people,
        links=links,
        existing=existing,
        day=day,
        now=now,
        settings=settings,
        calendar=calendar,
    )
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


def _digest_rows(
    inbox: dict[int, dict[tuple[int, str], dict[str, Any]]],
    *,
    people: dict[int, Person],
    links: dict[int, list[tuple[str, str, int | None]]],
    existing: set[tuple[int, str]],
    day: date,
    now: datetime,
    settings: Settings,
    calendar: WorkCalendar,
) -> tuple[list[dict[str, Any]], set[int], int, int]:
    """Digest rows to insert, with the counts of the summary (reminded, no channel, already)."""
    rows: list[dict[str, Any]] = []
    reminded: set[int] = set()
    without_channel = already = 0
    for user_id, by_key in inbox.items():
        person = people[user_id]
        targets = _digest_targets(person, links.get(user_id, []), settings)
        if not targets:
            without_channel += 1
            continue
        items = sorted(by_key.values(), key=_reading_order)
        covers = outbox.covers_key(by_key)
        for channel, address, chat_link_id in targets:
            if (user_id, channel) in existing:
                already += 1
                continue
            rows.append(
                _digest_row(
                    person,
                    channel=channel,
                    address=address,
                    chat_link_id=chat_link_id,
                    items=items,
                    covers=covers,
                    day=day,
                    now=now,
                    settings=settings,
                    calendar=calendar,
                )
            )
            reminded.add(user_id)
    return rows, reminded, without_channel, already


def _audiences(
    people: dict[int, Person],
) -> tuple[dict[int, list[int]], dict[int, list[int]], list[int]]:
    """Who hears about a unit's work: (unit -> its users, unit -> its heads, the leadership)."""
    unit_users: dict[int, list[int]] = {}
    unit_heads: dict[int, list[int]] = {}
    heads: list[int] = []
    for person in people.values():
        if person.role == Role.UNIT and person.unit_id is not None:
            unit_users.setdefault(person.unit_id, []).append(person.id)
            if person.is_unit_head:
                unit_heads.setdefault(person.unit_id, []).append(person.id)
        elif person.role == Role.HEAD:
            heads.append(person.id)
    return unit_users, unit_heads, heads


def _digest_targets(
    person: Person, links: list[tuple[str, str, int | None]], settings: Settings
) -> list[tuple[str, str, int | None]]:
    """Where `person`'s digest goes: their chat links, else their e-mail when e-mail is set up."""
    if not links and person.email and settings.channel_is_configured(Channel.EMAIL):
        return [(Channel.EMAIL, person.email, None)]
    return links


def _digest_row(
    person: Person,
    *,
    channel: str,
    address: str,
    chat_link_id: int | None,
    items: list[dict[str, Any]],
    covers: str,
    day: date,
    now: datetime,
    settings: Settings,
    calendar: WorkCalendar,
) -> dict[str, Any]:
    """The outbox row of `person`'s digest of `day` on one channel, with its send time."""
    return {
        "user_id": person.id,
        "channel": channel,
        "kind": MessageKind.DIGEST,
        "day": day,
        "covers": covers,
        "address": address,
        "chat_link_id": chat_link_id,
        "subject": digest_subject(day=day, items=items),
        "body": render_digest(
            name=person.name,
            day=day,
            items=items,
            channel=channel,
            base_url=settings.base_url,
            show_unit=person.role != Role.UNIT,
        ),
        "items": items,
        "next_attempt_at": send_time(
            person, day=day, now=now, settings=settings, calendar=calendar
        ),
    }


def send_time(
    person: Person, *, day: date, now: datetime, settings: Settings, calendar: WorkCalendar
) -> datetime:
    """When `person`'s digest of `day` leaves: at their own digest time (else the
    installation's hour), not before now, moved out of the quiet hours and days off."""
    at = person.digest_time or time(settings.reminders.digest_hour)
    planned = local_time_on(day, at, settings.timezone)
    return first_allowed(
        max(now, planned),
        settings=settings.reminders,
        calendar=calendar,
        timezone=settings.timezone,
    )


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
