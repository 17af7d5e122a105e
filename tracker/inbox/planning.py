"""Planning the inbox: what no single request tells — new assignments — found in the database
and put into the outbox beside the reminders (the scheduler runs it every minute and with the
daily digest).

New assignments come from publishing a notice, correcting one, or a unit handing parts down;
each unit hears once per notice per day, with how many tasks it got. Idempotent: the outbox
row's key is (person, "web", event, the day, notice and unit), so running it twice, or over a
window that overlaps the last run, adds nothing. A task added to the same notice for the same
unit later that day is not announced again (the entry already points to the notice's list).
Flushes, never commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from tracker.assignments.models import AssignmentStatus
from tracker.inbox import events
from tracker.inbox.models import Topic
from tracker.inbox.wording import vietnamese
from tracker.notices.models import NoticeStatus
from tracker.notify.text import shorten
from tracker.reminders import outbox

log = logging.getLogger(__name__)

# How far back each run looks: a scheduler down for a day still announces what it missed.
LOOK_BACK = timedelta(days=2)

_assignment, _task, _conclusion, _unit = (
    SQLModel.metadata.tables[name] for name in ("assignment", "task", "conclusion", "unit")
)


@dataclass
class _Group:
    notice: str
    unit: str
    count: int = 0


def plan_inbox(session: Session, *, now: datetime, look_back: timedelta = LOOK_BACK) -> int:
    """Announce the new assignments of published notices created in (now - look_back, now];
    returns how many outbox rows were new."""
    groups = _new_assignment_groups(session, now=now, look_back=look_back)
    people = events.unit_people(session, {unit_id for _notice, unit_id, _day in groups})
    by_unit: dict[int, list[int]] = {}
    for user_id, unit_id in people.items():
        by_unit.setdefault(unit_id, []).append(user_id)
    rows: list[dict[str, Any]] = []
    for (conclusion_id, unit_id, day), group in sorted(groups.items()):
        params = {
            "count": group.count,
            "notice": group.notice,
            "unit": group.unit,
            "conclusion_id": conclusion_id,
        }
        subject = vietnamese(Topic.NEW_ASSIGNMENTS, params)
        for user_id in by_unit.get(unit_id, []):
            rows.append(
                events.web_row(
                    user_id=user_id,
                    key=f"new_assignments:{conclusion_id}:{unit_id}",
                    day=day,
                    topic=Topic.NEW_ASSIGNMENTS,
                    params=params,
                    link=f"{events.UNIT_LIST_PATH}?notice={conclusion_id}",
                    subject=subject,
                    now=now,
                )
            )
    created = outbox.enqueue(session, rows)
    if created:
        log.info("inbox: %d new-assignment entries planned", created)
    return created


def _new_assignment_groups(
    session: Session, *, now: datetime, look_back: timedelta
) -> dict[tuple[int, int, date], _Group]:
    """The assignments created in the window, counted per (notice, unit, UTC day)."""
    statement = (
        select(
            _assignment.c.unit_id,
            _assignment.c.created_at,
            _conclusion.c.id,
            _conclusion.c.number,
            _conclusion.c.title,
            _unit.c.name,
        )
        .select_from(
            _assignment.join(_task, _assignment.c.task_id == _task.c.id)
            .join(_conclusion, _task.c.conclusion_id == _conclusion.c.id)
            .join(_unit, _assignment.c.unit_id == _unit.c.id)
        )
        .where(
            _assignment.c.created_at > now - look_back,
            _assignment.c.created_at <= now,
            _assignment.c.status != AssignmentStatus.CANCELLED,
            _conclusion.c.status == NoticeStatus.PUBLISHED,
        )
    )
    groups: dict[tuple[int, int, date], _Group] = {}
    for unit_id, created_at, conclusion_id, number, title, unit in session.connection().execute(
        statement
    ):
        key = (conclusion_id, unit_id, events.utc_day(created_at))
        group = groups.setdefault(key, _Group(number or shorten(title, 40), unit))
        group.count += 1
    return groups
