"""Writing `AssignmentState`: every change of an assignment's state, on the local day it was made.

Two ways reach it, so that no change is missed: assignments created or changed through the ORM
(publication, corrections, delegation, the demo) are caught by mapper events; the guarded
UPDATE of `progress.apply_change` (reports, roll-ups, extensions, cancellations) calls
`record_state` itself. Both write in the change's own transaction.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, event, insert, inspect, select, update
from sqlmodel import Session

from tracker.assignments.models import STILL_IN_FORCE, Assignment, AssignmentState
from tracker.db import as_utc, utcnow
from tracker.tables import table_of

STATE_FIELDS = ("status", "percent", "due", "completed_on")
FIXED_FIELDS = ("task_id", "unit_id", "parent_id")
_table = table_of(AssignmentState)


def _zone() -> ZoneInfo:
    """The users' time zone: the app's setting in a request, else the same variable's value."""
    try:
        from flask import current_app

        return ZoneInfo(current_app.extensions["tracker.settings"].timezone)
    except (RuntimeError, KeyError):
        return ZoneInfo(os.environ.get("TRACKER_TIMEZONE", "Asia/Ho_Chi_Minh"))


def local_day(moment: datetime) -> date:
    """The users' calendar day of a moment (a naive one is UTC, see `UtcDateTime`)."""
    return as_utc(moment).astimezone(_zone()).date()


def end_of(day: date) -> datetime:
    """The UTC moment the users' `day` ends: what was recorded before it counts on that day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=_zone()).astimezone(UTC)


def _write(connection: Connection, assignment: Assignment, day: date) -> None:
    values = {name: getattr(assignment, name) for name in STATE_FIELDS}
    current = connection.execute(
        select(_table.c.id, _table.c.valid_from, *[_table.c[name] for name in STATE_FIELDS]).where(
            _table.c.assignment_id == assignment.id, _table.c.valid_until == STILL_IN_FORCE
        )
    ).first()
    if current is not None:
        if all(getattr(current, name) == value for name, value in values.items()):
            return
        if current.valid_from >= day:
            # A second change on the same day: the day ends with the last one.
            connection.execute(
                update(_table)
                .where(_table.c.id == current.id)
                .values(**values, recorded_at=utcnow())
            )
            return
        connection.execute(update(_table).where(_table.c.id == current.id).values(valid_until=day))
    connection.execute(
        insert(_table).values(
            assignment_id=assignment.id,
            **{name: getattr(assignment, name) for name in FIXED_FIELDS},
            **values,
            valid_from=day,
            valid_until=STILL_IN_FORCE,
            recorded_at=utcnow(),
        )
    )


def record_state(session: Session, assignment: Assignment) -> None:
    """Record the assignment's state as of now (after a change made without the ORM's flush)."""
    _write(session.connection(), assignment, local_day(utcnow()))


@event.listens_for(Assignment, "after_insert")
def _created(_mapper: Any, connection: Connection, assignment: Assignment) -> None:
    # It exists from the day it was created (a notice's assignments: the day it was published).
    _write(connection, assignment, local_day(assignment.created_at or utcnow()))


@event.listens_for(Assignment, "after_update")
def _changed(_mapper: Any, connection: Connection, assignment: Assignment) -> None:
    state = inspect(assignment)
    fixed = {
        name: getattr(assignment, name)
        for name in FIXED_FIELDS
        if state.attrs[name].history.has_changes()
    }
    if fixed:
        connection.execute(
            update(_table).where(_table.c.assignment_id == assignment.id).values(**fixed)
        )
    if any(state.attrs[name].history.has_changes() for name in STATE_FIELDS):
        _write(connection, assignment, local_day(utcnow()))
