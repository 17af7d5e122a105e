"""Chat platform events seen already: a retried or replayed webhook call is handled once.

Each event is entered under its platform's id (Telegram's update_id; for Zalo the message id,
or a fingerprint of the signed body) by one INSERT ... ON CONFLICT DO NOTHING in the
transaction that handles it: a second call with the same id finds the row (on PostgreSQL it
waits for the first call's commit) and is ignored. Rows older than RETENTION are deleted as
new ones come in, so the table stays small; RETENTION is well past the time a platform retries
an event (Telegram: 24 hours) and the age beyond which a Zalo event is refused anyway
(MAX_ZALO_EVENT_AGE).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from tracker.chat.models import WebhookEvent
from tracker.tables import table_of

RETENTION = timedelta(days=2)
# A Zalo event stamped further from now than this (either way) is not acted on: a replay.
MAX_ZALO_EVENT_AGE = timedelta(minutes=5)


def first_sighting(session: Session, *, channel: str, event_id: str, now: datetime) -> bool:
    """Enter the event; True the first time it is seen, False for a repeat. Flushes; the
    entry commits (or rolls back) with the handling of the event."""
    table = table_of(WebhookEvent)
    session.execute(
        delete(table).where(table.c.channel == channel, table.c.received_at < now - RETENTION)
    )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(channel=channel, event_id=event_id[:128], received_at=now)
        .on_conflict_do_nothing(index_elements=[table.c.channel, table.c.event_id])
        .returning(table.c.event_id)
    )
    return session.execute(statement).first() is not None


def fingerprint(raw: bytes) -> str:
    """An id for an event that carries none of its own: the hash of its signed body."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()
