"""The outbox: messages are inserted here inside the change's transaction and sent after it
commits. Inserting is idempotent on the natural key, so planning a day twice adds nothing.
The dispatcher claims due rows (dispatch.py) and records each outcome (outcomes.py).

Exactly once, as far as the channel allows. The claim is a lease renewed by the dispatcher's
heartbeat while the row is in flight (renew), so a live dispatcher's row is never taken over
and a dispatcher never takes back its own; each delivered part of a long message is committed
before the next leaves (save_progress). One window remains, and no outbox can close it
without the channel's help: the channel has accepted a request and we have not committed that
fact yet. It lasts from the moment Telegram (or Zalo, or the SMTP server) accepts a part until
our UPDATE ... COMMIT of parts_sent or 'sent' returns: the answer's trip back plus one short
transaction. Measured by bench/dispatch.py against the local fake Bot API on a 2-core machine:
median 4 ms (SQLite) / 9 ms (PostgreSQL), 95th percentile 13 / 25 ms, largest 39 / 235 ms; the
real network adds the answer's trip back from Telegram (tens to a few hundred ms); at most the
request's read timeout (10 s) plus the commit. A dispatcher killed inside that window
leaves the row 'sending' with the part not counted; after the lease (10 minutes) another
dispatcher sends that one part again: a duplicate of one part, never of the parts before it.
Telegram's sendMessage has no idempotency key, so this cannot be narrowed further; a request
that times out after it left is not retried at all (status 'unconfirmed').

Why such a resend does no harm (design note): a reminder says what is due; it carries no
one-time code, no link token and nothing counted by its arrival. Its buttons carry only an
action and an assignment id (tracker/notify/buttons.py); pressing the same button under the
duplicate goes through the same service functions, which check the assignment's state ("done"
twice answers that it was done already; a percentage or an extension request asks first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnDefault, and_, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from tracker.chat import linking
from tracker.reminders.models import OutboxMessage, OutboxStatus
from tracker.tables import table_of

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
        for column in table_of(OutboxMessage).columns
        if isinstance(column.default, ColumnDefault)
    }
    values = [{**defaults, **row} for row in rows]
    statement = (
        insert(table_of(OutboxMessage))
        .on_conflict_do_nothing(index_elements=list(_NATURAL_KEY))
        .returning(table_of(OutboxMessage).c.id)
    )
    # One statement compiled once; SQLAlchemy batches the rows itself ("insertmanyvalues").
    # Counted from RETURNING: psycopg reports no rowcount for a multi-row insert.
    inserted = len(session.execute(statement, values).all())
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


# -- the dispatch side: claiming rows and recording what happened --------------------------
#
# The dispatcher is its own entry point (like a scheduler job), so each function below is one
# short transaction that commits: a claim must be visible to the other dispatchers at once,
# and a delivery recorded the moment it is known.

MAX_BACKOFF = timedelta(hours=1)


def claim(
    session: Session,
    *,
    worker: str,
    limit: int,
    now: datetime,
    lease: timedelta,
    channels: Collection[str] | None = None,
) -> list[OutboxMessage]:
    """Take up to `limit` due rows for `worker` (status 'sending') and commit.

    Due: pending with next_attempt_at <= now, or 'sending' by another dispatcher whose claim
    was last renewed more than `lease` ago (that dispatcher died: a live one renews the claims
    of its rows in flight, see renew()). A dispatcher never takes back a row it claimed itself:
    it is still in flight there, however long it waits. One UPDATE ... WHERE id IN (SELECT ...)
    RETURNING statement; on PostgreSQL the inner SELECT uses FOR UPDATE SKIP LOCKED, so
    concurrent dispatchers never take the same row; SQLite runs the single statement
    atomically (one dispatcher).
    """
    table = table_of(OutboxMessage)
    due = or_(
        and_(table.c.status == OutboxStatus.PENDING, table.c.next_attempt_at <= now),
        and_(
            table.c.status == OutboxStatus.SENDING,
            table.c.claimed_at < now - lease,
            or_(table.c.claimed_by.is_(None), table.c.claimed_by != worker),
        ),
    )
    candidates = select(table.c.id).where(due)
    if channels is not None:
        candidates = candidates.where(table.c.channel.in_(list(channels)))
    candidates = candidates.order_by(table.c.next_attempt_at, table.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(candidates.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = list(session.scalars(statement).all())
    session.commit()
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.id or 0))


def _ours(message_id: int, worker: str) -> Any:
    """Still claimed by `worker`: a row reclaimed by another dispatcher is not overwritten."""
    return and_(
        col(OutboxMessage.id) == message_id,
        col(OutboxMessage.claimed_by) == worker,
        col(OutboxMessage.status) == OutboxStatus.SENDING,
    )


def _update(session: Session, message_id: int, worker: str, **values: Any) -> bool:
    result = session.exec(
        update(OutboxMessage)
        .where(_ours(message_id, worker))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount == 1)


def renew(session: Session, *, worker: str, message_ids: Collection[int], now: datetime) -> int:
    """The heartbeat: `worker`'s rows in flight are still being worked on, so their lease
    starts again from `now` (no other dispatcher reclaims them). Returns how many were still
    `worker`'s."""
    if not message_ids:
        return 0
    result = session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(list(message_ids)),
            col(OutboxMessage.claimed_by) == worker,
            col(OutboxMessage.status) == OutboxStatus.SENDING,
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)


def save_progress(
    session: Session, *, message_id: int, worker: str, parts_sent: int, now: datetime
) -> bool:
    """A part of a long message was delivered: committed at once, so a dispatcher that dies
    before the next part leaves a row that resumes after it. False when the row is no longer
    `worker`'s (the sender then stops)."""
    return _update(session, message_id, worker, parts_sent=parts_sent, claimed_at=now)


def holder(session: Session, *, message_id: int) -> tuple[str | None, str | None]:
    """Who holds the row now and in which status (for the log when a mark did not land)."""
    found = session.execute(
        select(OutboxMessage.claimed_by, OutboxMessage.status).where(OutboxMessage.id == message_id)
    ).one_or_none()
    session.rollback()
    return (found[0], found[1]) if found is not None else (None, None)


def mark_sent(
    session: Session,
    *,
    message_id: int,
    worker: str,
    now: datetime,
    external_id: str | None,
    parts_sent: int,
) -> bool:
    """Delivered. False when the row is no longer `worker`'s."""
    return _update(
        session,
        message_id,
        worker,
        status=OutboxStatus.SENT,
        sent_at=now,
        external_id=(external_id or None) and external_id[:128],
        parts_sent=parts_sent,
        attempts=OutboxMessage.attempts + 1,
        last_error=None,
    )


def _as_is(moment: datetime) -> datetime:
    return moment


def backoff(attempts: int, backoff_seconds: float) -> timedelta:
    """The wait after a failed attempt: doubling from `backoff_seconds`, at most an hour."""
    seconds = float(backoff_seconds) * 2 ** min(attempts, 30)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def mark_retry(
    session: Session,
    *,
    message_id: int,
    worker: str,
    now: datetime,
    error: str,
    parts_sent: int,
    max_attempts: int,
    backoff_seconds: float,
    not_before: Callable[[datetime], datetime] | None = None,
) -> OutboxStatus | None:
    """A temporary failure: back to pending after the back-off, or failed once the attempts
    reach `max_attempts`. Returns the new status, or None when the row is no longer ours.
    `not_before` moves the next attempt out of the quiet hours and days off."""
    attempts = session.execute(
        select(OutboxMessage.attempts).where(_ours(message_id, worker))
    ).scalar_one_or_none()
    if attempts is None:
        session.rollback()
        return None
    gives_up = attempts + 1 >= max_attempts
    status = OutboxStatus.FAILED if gives_up else OutboxStatus.PENDING
    result = session.exec(
        update(OutboxMessage)
        .where(_ours(message_id, worker), OutboxMessage.attempts == attempts)
        .values(
            status=status,
            attempts=attempts + 1,
            next_attempt_at=(not_before or _as_is)(now + backoff(attempts, backoff_seconds)),
            last_error=error[:500],
            parts_sent=parts_sent,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return status if result.rowcount == 1 else None


def mark_failed(
    session: Session,
    *,
    message_id: int,
    worker: str,
    now: datetime,
    error: str,
    parts_sent: int = 0,
    link_is_dead: bool = False,
) -> bool:
    """Failed for good (never retried); with `link_is_dead` the person's chat link is marked
    inactive too, in the same transaction, so the admin sees why."""
    chat_link_id = session.execute(
        select(OutboxMessage.chat_link_id).where(_ours(message_id, worker))
    ).one_or_none()
    if chat_link_id is None:
        session.rollback()
        return False
    result = session.exec(
        update(OutboxMessage)
        .where(_ours(message_id, worker))
        .values(
            status=OutboxStatus.FAILED,
            attempts=OutboxMessage.attempts + 1,
            last_error=error[:500],
            parts_sent=parts_sent,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1 and link_is_dead and chat_link_id[0] is not None:
        linking.mark_link_dead(session, chat_link_id=chat_link_id[0], reason=error, now=now)
    session.commit()
    return bool(result.rowcount == 1)


def mark_unconfirmed(
    session: Session, *, message_id: int, worker: str, now: datetime, error: str, parts_sent: int
) -> bool:
    """The channel timed out after the request left: it may have arrived, so the row is kept
    out of the automatic retries (a person can resend it from the admin page)."""
    return _update(
        session,
        message_id,
        worker,
        status=OutboxStatus.UNCONFIRMED,
        attempts=OutboxMessage.attempts + 1,
        last_error=error[:500],
        parts_sent=parts_sent,
    )


def mark_wait(
    session: Session,
    *,
    message_id: int,
    worker: str,
    until: datetime,
    reason: str,
    parts_sent: int,
) -> bool:
    """Not the message's fault (the channel asked us to slow down, or is not configured here):
    back to pending from `until`, without spending an attempt."""
    return _update(
        session,
        message_id,
        worker,
        status=OutboxStatus.PENDING,
        next_attempt_at=until,
        last_error=reason[:500],
        parts_sent=parts_sent,
    )


def next_due(session: Session, *, channels: Collection[str] | None = None) -> datetime | None:
    """When the earliest pending row (of `channels`) comes due, or None when none is left."""
    statement = select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.status == OutboxStatus.PENDING
    )
    if channels is not None:
        statement = statement.where(col(OutboxMessage.channel).in_(list(channels)))
    found = session.execute(statement).scalar_one_or_none()
    session.rollback()
    return found
