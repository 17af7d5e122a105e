"""Claiming outbox rows and recording outcomes, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from tests.helpers import make_user
from tests.reminders.factories import queue, recipient, rows
from tracker.accounts.models import ChatLink
from tracker.db import utcnow
from tracker.reminders import outbox
from tracker.reminders.models import OutboxStatus

LEASE = timedelta(minutes=5)


def _queue_many(session: Session, count: int) -> list[int]:
    user = make_user(session, "secretary")
    ids = [queue(session, recipient(session, 100 + n, user=user)) for n in range(count)]
    session.commit()
    return ids


def test_two_claims_never_return_the_same_row(engine: Engine, session: Session) -> None:
    ids = _queue_many(session, 10)
    now = utcnow()
    with Session(engine) as first, Session(engine) as second:
        a = outbox.claim(first, worker="a", limit=6, now=now, lease=LEASE)
        b = outbox.claim(second, worker="b", limit=6, now=now, lease=LEASE)
    assert len(a) == 6 and len(b) == 4
    assert {row.id for row in a}.isdisjoint({row.id for row in b})
    assert {row.id for row in a} | {row.id for row in b} == set(ids)
    # Oldest first, and every claimed row says who holds it.
    assert [row.id for row in a] == ids[:6]
    found = rows(session)
    assert {found[row.id].claimed_by for row in a} == {"a"}  # type: ignore[index]
    assert {found[i].status for i in ids} == {OutboxStatus.SENDING}


def test_concurrent_claims_split_the_rows(engine: Engine, session: Session) -> None:
    ids = _queue_many(session, 60)
    now = utcnow()
    start = threading.Barrier(6)
    claimed: dict[str, list[int]] = {}

    def work(worker: str) -> None:
        start.wait()
        taken: list[int] = []
        with Session(engine) as own:
            while batch := outbox.claim(own, worker=worker, limit=4, now=now, lease=LEASE):
                taken.extend(row.id for row in batch)  # type: ignore[misc]
        claimed[worker] = taken

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [row_id for taken in claimed.values() for row_id in taken]
    assert sorted(every) == sorted(ids)  # each row exactly once
    found = rows(session)
    assert all(
        found[row_id].claimed_by == worker for worker, taken in claimed.items() for row_id in taken
    )


def test_rows_not_due_or_done_are_not_claimed(engine: Engine, session: Session) -> None:
    later, done = _queue_many(session, 2)
    now = utcnow()
    found = rows(session)
    found[later].next_attempt_at = now + timedelta(minutes=1)
    found[done].status = OutboxStatus.SENT
    session.add_all([found[later], found[done]])
    session.commit()
    assert outbox.claim(session, worker="a", limit=10, now=now, lease=LEASE) == []
    assert outbox.next_due(session) is not None
    later_on = now + timedelta(minutes=2)
    assert (
        outbox.claim(session, worker="a", limit=10, now=later_on, lease=LEASE, channels=["zalo"])
        == []
    )
    [row] = outbox.claim(session, worker="a", limit=10, now=later_on, lease=LEASE)
    assert row.id == later


def test_an_expired_lease_is_reclaimed_and_the_old_worker_cannot_overwrite(
    engine: Engine, session: Session
) -> None:
    [message_id] = _queue_many(session, 1)
    start = utcnow()
    assert len(outbox.claim(session, worker="dead", limit=5, now=start, lease=LEASE)) == 1
    # Still under lease: nobody else takes it.
    assert outbox.claim(session, worker="b", limit=5, now=start + LEASE / 2, lease=LEASE) == []
    [row] = outbox.claim(
        session, worker="b", limit=5, now=start + LEASE + timedelta(seconds=1), lease=LEASE
    )
    assert row.id == message_id and row.claimed_by == "b"

    # The first dispatcher wakes up late: none of its marks land.
    now = utcnow()
    assert not outbox.mark_sent(
        session, message_id=message_id, worker="dead", now=now, external_id="1", parts_sent=1
    )
    assert not outbox.mark_failed(session, message_id=message_id, worker="dead", now=now, error="x")
    assert (
        outbox.mark_retry(
            session,
            message_id=message_id,
            worker="dead",
            now=now,
            error="x",
            parts_sent=0,
            max_attempts=3,
            backoff_seconds=1,
        )
        is None
    )
    assert rows(session)[message_id].status == OutboxStatus.SENDING
    assert outbox.mark_sent(
        session, message_id=message_id, worker="b", now=now, external_id="77", parts_sent=1
    )
    row = rows(session)[message_id]
    assert (row.status, row.external_id, row.claimed_by) == (OutboxStatus.SENT, "77", "b")
    # A finished row is nobody's to change any more.
    assert not outbox.mark_sent(
        session, message_id=message_id, worker="b", now=now, external_id="78", parts_sent=1
    )


def test_retries_back_off_doubling_then_fail_at_max_attempts(
    engine: Engine, session: Session
) -> None:
    [message_id] = _queue_many(session, 1)
    now = utcnow()
    waits = []
    for attempt in range(1, 4):
        [row] = outbox.claim(session, worker="a", limit=1, now=now + timedelta(days=1), lease=LEASE)
        status = outbox.mark_retry(
            session,
            message_id=message_id,
            worker="a",
            now=now,
            error=f"502 Bad Gateway #{attempt}",
            parts_sent=1,
            max_attempts=3,
            backoff_seconds=30,
        )
        row = rows(session)[message_id]
        assert row.attempts == attempt and row.parts_sent == 1
        assert row.last_error == f"502 Bad Gateway #{attempt}"
        waits.append((row.next_attempt_at - now).total_seconds())
        assert status == (OutboxStatus.FAILED if attempt == 3 else OutboxStatus.PENDING)
        assert row.status == status
    assert waits[:2] == [30, 60]
    assert outbox.backoff(20, 30) == timedelta(hours=1)


def test_wait_keeps_the_attempts_and_failure_marks_the_link_dead(
    engine: Engine, session: Session
) -> None:
    link = recipient(session, 999)
    message_id = queue(session, link)
    session.commit()
    now = utcnow()
    outbox.claim(session, worker="a", limit=1, now=now, lease=LEASE)
    assert outbox.mark_wait(
        session,
        message_id=message_id,
        worker="a",
        until=now + timedelta(seconds=3),
        reason="429",
        parts_sent=0,
    )
    row = rows(session)[message_id]
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 0, "429")

    outbox.claim(session, worker="a", limit=1, now=now + timedelta(seconds=4), lease=LEASE)
    assert outbox.mark_failed(
        session,
        message_id=message_id,
        worker="a",
        now=now,
        error="Forbidden: bot was blocked by the user",
        link_is_dead=True,
    )
    row = rows(session)[message_id]
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    found = session.get(ChatLink, link.id)
    assert found is not None and found.is_active is False
    assert found.inactive_reason == "Forbidden: bot was blocked by the user"


def test_a_dispatcher_never_takes_back_its_own_row_and_a_renewed_claim_is_kept(
    engine: Engine, session: Session
) -> None:
    first, second = _queue_many(session, 2)
    start = utcnow()
    assert len(outbox.claim(session, worker="a", limit=5, now=start, lease=LEASE)) == 2
    much_later = start + LEASE * 3
    # Past the lease: its own dispatcher still has the rows in flight, so it claims nothing.
    assert outbox.claim(session, worker="a", limit=5, now=much_later, lease=LEASE) == []
    # The heartbeat renews the first row only; another dispatcher takes over the second.
    assert outbox.renew(session, worker="a", message_ids=[first], now=much_later) == 1
    taken = outbox.claim(session, worker="b", limit=5, now=much_later, lease=LEASE)
    assert [row.id for row in taken] == [second]
    # A's heartbeat no longer renews the row b holds, and its progress there does not land.
    assert outbox.renew(session, worker="a", message_ids=[second], now=much_later) == 0
    assert not outbox.save_progress(
        session, message_id=second, worker="a", parts_sent=1, now=much_later
    )
    assert outbox.save_progress(session, message_id=first, worker="a", parts_sent=1, now=start)
    found = rows(session)
    assert (found[first].claimed_by, found[first].parts_sent) == ("a", 1)
    assert (found[second].claimed_by, found[second].parts_sent) == ("b", 0)
