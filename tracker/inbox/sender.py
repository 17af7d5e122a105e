"""The web channel's sender: delivering an outbox row is writing the person's inbox entry.

Exactly once, without the window the chat channels have: the entry is unique on the outbox
row, so a dispatcher that wrote it and died before recording "sent" finds it there on the retry
and inserts nothing (ON CONFLICT DO NOTHING) — the person still has one entry.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import SQLModel

from tracker.db import utcnow
from tracker.inbox.models import InboxEntry
from tracker.notify.base import Delivery, Outgoing, PermanentFailure, TemporaryFailure

log = logging.getLogger(__name__)


class WebInboxSender:
    """Writes inbox entries; safe from several threads (each send is its own transaction)."""

    channel = "web"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect = engine.dialect.name
        self._insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert

    def send(self, message: Outgoing) -> Delivery:
        """The entry the row describes (its first item), for the person in `address`."""
        try:
            user_id = int(message.address)
            item = message.items[0]
            values = {
                "user_id": user_id,
                "outbox_message_id": message.message_id,
                "topic": str(item["topic"]),
                "params": dict(item.get("params") or {}),
                "link": str(item.get("link") or "")[:255],
                "created_at": utcnow(),
            }
        except (ValueError, IndexError, KeyError, TypeError) as error:
            raise PermanentFailure(f"not an inbox message: {error!r}") from None
        statement = (
            self._insert(SQLModel.metadata.tables[InboxEntry.__tablename__])
            .values(**values)
            .on_conflict_do_nothing(index_elements=["outbox_message_id"])
        )
        try:
            with self._engine.begin() as connection:
                connection.execute(statement)
        except OperationalError as error:
            # The database is away or busy: nothing was written, a retry is safe.
            raise TemporaryFailure(f"inbox entry not written: {error.orig!r}") from None
        except DBAPIError as error:
            raise PermanentFailure(f"inbox entry refused: {error.orig!r}") from None
        return Delivery(external_id=None, parts_sent=1)

    def close(self) -> None:
        """Nothing to close: the engine belongs to the application."""
