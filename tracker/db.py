"""The database: engine, metadata naming convention, and the unit of work.

Services flush and never commit. Whoever starts the work (a web request, a CLI command, a
scheduler job, a bot update) owns one session and commits once, or rolls back on any error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, DateTime, Dialect, Engine, event
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from tracker.errors import DomainError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Stable constraint names make migrations reviewable and downgrades possible.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Every *_at column: stored as UTC, always handed back aware in UTC.

    PostgreSQL keeps `timestamp with time zone`; SQLite keeps text without an offset and gives
    back naive values, which are UTC because only UTC is ever written. A naive value bound here
    is taken as UTC too (the code never makes one; `utcnow()` is aware)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one is already UTC (see `UtcDateTime`)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Set only by `clock_at`: a replay of past days records each change on its own day.
_clock: ContextVar[datetime | None] = ContextVar("tracker_clock", default=None)


def utcnow() -> datetime:
    """Now, as an aware UTC timestamp (every *_at column stores UTC)."""
    return _clock.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Within the block, `utcnow()` is `moment` (aware): scripted days, imports of past work."""
    token = _clock.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _clock.reset(token)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        in_memory = url in {"sqlite://", "sqlite:///:memory:"}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if in_memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _begin_before_sqlite_savepoint)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_before_sqlite_savepoint(connection: Connection, name: str | None) -> None:
    """Python's sqlite3 opens a transaction only before an INSERT/UPDATE/DELETE, so a SAVEPOINT
    that comes first starts one of its own, and its RELEASE commits everything done inside it
    at once, whatever the unit of work decides afterwards. A real BEGIN first makes the
    savepoint a nested one, as on PostgreSQL."""
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        raw.execute("BEGIN")


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit at the end, roll back on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@dataclass
class Outcome:
    """How a change ended: `error` is the refusal (already undone), or None if it went through.

    Shared by the bot (`attempt`, `savepoint`) and the web (`tracker.request_db.attempt`)."""

    error: DomainError | None = None


@contextmanager
def savepoint(session: Session) -> Iterator[Outcome]:
    """Run a change in a savepoint: a refusal (DomainError) undoes exactly that change and is kept
    on the outcome instead of propagating; any other error propagates after the same undo.

    Whatever the service flushed before refusing is gone, so the caller can show the refusal and
    still commit (or roll back) the rest of its work knowing nothing half-written remains.
    """
    outcome = Outcome()
    try:
        with session.begin_nested():
            yield outcome
    except DomainError as error:
        log.info("change refused: %s", error)
        outcome.error = error


def attempt(session: Session, work: Callable[[], T]) -> T | DomainError:
    """`work()` in a savepoint: its result, or the refusal (with the change undone)."""
    with savepoint(session) as outcome:
        return work()
    assert outcome.error is not None  # reached only when the savepoint swallowed a refusal
    return outcome.error
