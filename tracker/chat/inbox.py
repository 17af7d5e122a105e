"""The Telegram webhook's inbox: the web request stores the update and answers at once; a
worker beside the dispatcher claims stored updates, handles them, and deletes them.

A claim is a lease: an update claimed by a worker that died is taken over after LEASE. An
update handled twice (a takeover after the work had committed) is still handled once: the
handling enters its update_id in webhook_event in the same transaction.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from tracker.chat.models import TelegramInbox
from tracker.tables import table_of

LEASE = timedelta(minutes=2)
_table = table_of(TelegramInbox)


def store(session: Session, *, update_id: int, payload: dict[str, Any], now: datetime) -> bool:
    """Keep the update for the worker; False when it is waiting already (Telegram resent it)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(_table)
        .values(update_id=update_id, payload=json.dumps(payload), received_at=now)
        .on_conflict_do_nothing(index_elements=[_table.c.update_id])
        .returning(_table.c.update_id)
    )
    return session.execute(statement).first() is not None


def claim(
    session: Session, *, worker: str, now: datetime, limit: int = 20
) -> list[tuple[int, dict[str, Any]]]:
    """Up to `limit` unclaimed (or abandoned) updates, oldest first, now claimed by `worker`."""
    free = or_(_table.c.claimed_at.is_(None), _table.c.claimed_at < now - LEASE)
    query = select(_table.c.update_id).where(free).order_by(_table.c.update_id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.execute(query).scalars())
    if not ids:
        return []
    session.execute(
        update(_table)
        .where(_table.c.update_id.in_(ids), free)
        .values(claimed_by=worker, claimed_at=now)
    )
    rows = session.execute(
        select(_table.c.update_id, _table.c.payload)
        .where(_table.c.update_id.in_(ids), _table.c.claimed_by == worker)
        .order_by(_table.c.update_id)
    ).all()
    return [(update_id, json.loads(payload)) for update_id, payload in rows]


def finish(session: Session, *, update_id: int, worker: str) -> None:
    """The update is handled: forget it."""
    session.execute(
        delete(_table).where(_table.c.update_id == update_id, _table.c.claimed_by == worker)
    )


def waiting(session: Session) -> int:
    """How many updates wait (for tests and the admin)."""
    return len(session.execute(select(_table.c.update_id)).all())
