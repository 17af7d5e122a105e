"""The outbox: messages are inserted here inside the change's transaction and sent after it
commits. Inserting is idempotent on the natural key, so planning a day twice adds nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from tracker.reminders.models import OutboxMessage

_NATURAL_KEY = ("user_id", "channel", "kind", "day", "covers")


def covers_key(items: Iterable[tuple[int, str]]) -> str:
    """A stable 64-character key for the (assignment id, rule) pairs a message carries."""
    text = ";".join(f"{assignment_id}:{rule}" for assignment_id, rule in sorted(items))
    return hashlib.sha256(text.encode()).hexdigest()


def enqueue(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert outbox rows (dicts of OutboxMessage columns), skipping any whose natural key
    is already there; returns how many were new. Flushes, never commits."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    defaults = {
        column.name: column.default.arg(None)
        if callable(column.default.arg)
        else column.default.arg
        for column in OutboxMessage.__table__.columns
        if column.default is not None
    }
    values = [{**defaults, **row} for row in rows]
    inserted = 0
    # Bounded batches keep each statement under the drivers' parameter limits.
    for start in range(0, len(values), 500):
        statement = (
            insert(OutboxMessage.__table__)
            .values(values[start : start + 500])
            .on_conflict_do_nothing(index_elements=list(_NATURAL_KEY))
            .returning(OutboxMessage.__table__.c.id)
        )
        # Counted from RETURNING: psycopg reports no rowcount for a multi-row insert.
        inserted += len(session.execute(statement).all())
    session.flush()
    return inserted


def existing_keys(session: Session, *, day: Any, kind: str) -> set[tuple[int, str]]:
    """(user id, channel) pairs that already have a message of `kind` on `day`."""
    return set(
        session.exec(
            select(OutboxMessage.user_id, OutboxMessage.channel).where(
                OutboxMessage.day == day, OutboxMessage.kind == kind
            )
        ).all()
    )

