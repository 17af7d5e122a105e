"""Nothing delivered twice by the dispatcher itself, on SQLite and PostgreSQL, counted by the
fake Bot API: a dispatcher killed between the parts of a long message, a 429 whose
retry_after outlasts the lease, a pause longer than a row may be held, a claim taken over."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, func, update
from sqlmodel import Session, select

from tests.fakes.telegram_api import FakeTelegram, Fault
from tests.reminders.factories import dispatcher, fake_settings, queue, recipient, rows
from tracker.db import utcnow
from tracker.reminders.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.bots

WORKER_SCRIPT = Path(__file__).with_name("dispatch_worker.py")
# 90 numbered lines: three Telegram parts.
LINES = [f"<b>{n}.</b> " + "Nhiệm vụ cần báo cáo kết quả thực hiện. " * 3 for n in range(90)]


def _delivered(fake: FakeTelegram) -> Counter[str]:
    return Counter(str(call["chat_id"]) for call in fake.sent())


@pytest.mark.slow
def test_a_dispatcher_killed_after_part_2_of_3_resumes_at_part_3(
    app: Flask, engine: Engine, session: Session, database_url: str, fake: FakeTelegram
) -> None:
    message_id = queue(session, recipient(session, 2101), body="\n".join(LINES))
    session.commit()
    # The third part hangs in flight: the dispatcher is killed while it waits for the answer.
    fake.faults.append(Fault(delay=30, chat_id="2101", after=2))
    process = subprocess.Popen(
        [
            sys.executable,
            str(WORKER_SCRIPT),
            "--database-url",
            database_url,
            "--base-url",
            fake.base_url,
            "--worker",
            "doomed",
            "--per-second",
            "28",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
        fake.wait_for(lambda server: len(server.calls_to("sendMessage")) == 3, timeout=30)
    finally:
        process.kill()
        process.wait(10)
    assert len(fake.sent(2101)) == 2
    row = rows(session)[message_id]
    assert (row.status, row.claimed_by, row.parts_sent) == (OutboxStatus.SENDING, "doomed", 2)

    time.sleep(1.2)  # the dead dispatcher's lease (1 s for the one taking over) runs out
    with dispatcher(
        engine,
        fake_settings(app, fake),
        worker="survivor",
        lease=timedelta(seconds=1),
        heartbeat=timedelta(seconds=0.25),
    ) as sending:
        summary = sending.run_until_idle(max_seconds=20)

    texts = [part["text"] for part in fake.sent(2101)]
    assert len(texts) == len(set(texts)) == 3, "a part was delivered twice"
    assert "\n".join(texts) == "\n".join(LINES)
    assert summary.sent == 1
    row = rows(session)[message_id]
    assert (row.status, row.parts_sent, row.claimed_by) == (OutboxStatus.SENT, 3, "survivor")


@pytest.mark.slow
def test_a_429_longer_than_the_lease_delivers_each_message_once(
    app: Flask,
    engine: Engine,
    session: Session,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chats = [str(2200 + n) for n in range(6)]
    for chat in chats:
        queue(session, recipient(session, chat))
    session.commit()
    # retry_after (3 s) is twice the lease: the rows waiting it out in this dispatcher are
    # still its own, renewed by the heartbeat, and never claimed a second time.
    fake.faults.append(
        Fault(status=429, description="Too Many Requests: retry after 3", retry_after=3)
    )
    caplog.set_level(logging.WARNING, logger="tracker.reminders")

    lease = timedelta(seconds=1.5)
    oldest: list[timedelta] = []
    running = threading.Event()
    running.set()

    def watch() -> None:  # what another dispatcher would see: never a claim past its lease
        with Session(engine) as other:
            while running.is_set():
                found = other.exec(
                    select(func.min(OutboxMessage.claimed_at)).where(
                        OutboxMessage.status == OutboxStatus.SENDING
                    )
                ).one()
                other.rollback()
                if found is not None:
                    oldest.append(utcnow() - found)
                time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with dispatcher(
            engine, fake_settings(app, fake), lease=lease, heartbeat=timedelta(seconds=0.25)
        ) as sending:
            summary = sending.run_until_idle(max_seconds=30)
    finally:
        running.clear()
        watcher.join()

    assert _delivered(fake) == Counter(chats), "a message was lost or delivered twice"
    assert (summary.sent, summary.waited, summary.stale) == (6, 1, 0)
    assert summary.claimed == 7  # six, and the refused one once more after its wait
    assert not [r for r in caplog.records if "reclaimed" in r.getMessage()]
    assert oldest and max(oldest) < lease, "a live claim looked abandoned to other dispatchers"
    assert {row.status for row in rows(session).values()} == {OutboxStatus.SENT}


def test_a_pause_longer_than_a_row_may_be_held_gives_the_rows_back(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    chats = [str(2300 + n) for n in range(5)]
    for chat in chats:
        queue(session, recipient(session, chat))
    session.commit()
    fake.faults.append(
        Fault(status=429, description="Too Many Requests: retry after 330", retry_after=330)
    )

    started = time.monotonic()
    with dispatcher(engine, fake_settings(app, fake)) as sending:
        first = sending.run_until_idle(max_seconds=30)
    # Nobody sits on a claimed row for five and a half minutes: every row not yet delivered is
    # back in the outbox until the pause is over, without spending an attempt.
    assert time.monotonic() - started < 10
    waiting = [row for row in rows(session).values() if row.status != OutboxStatus.SENT]
    assert waiting and first.stale == 0
    assert first.sent + first.waited == len(chats)
    later = utcnow() + timedelta(seconds=300)
    for row in waiting:
        assert row.status == OutboxStatus.PENDING and row.attempts == 0
        assert row.next_attempt_at > later

    # Five and a half minutes later (the rows are made due now): each goes out once.
    session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    session.commit()
    with dispatcher(engine, fake_settings(app, fake)) as sending:
        second = sending.run_until_idle(max_seconds=30)
    assert second.sent == len(waiting)
    assert _delivered(fake) == Counter(chats)


def test_a_sender_stops_between_parts_when_its_claim_was_taken_over(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    message_id = queue(session, recipient(session, 2401), body="\n".join(LINES))
    session.commit()
    # Part 1 is delivered and answered a second late; meanwhile the row changes hands.
    fake.faults.append(Fault(delay=1.0, deliver=True, chat_id="2401"))

    with dispatcher(engine, fake_settings(app, fake)) as sending, ThreadPoolExecutor(1) as runs:
        future = runs.submit(sending.run_until_idle, 10)
        fake.wait_for(lambda server: len(server.sent(2401)) == 1)
        with Session(engine) as other:
            other.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)  # type: ignore[arg-type]
                .values(claimed_by="another")
            )
            other.commit()
        summary = future.result(20)

    assert len(fake.sent(2401)) == 1  # it stopped before part 2
    assert summary.stale == 1 and summary.sent == 0
    row = rows(session)[message_id]
    assert (row.status, row.claimed_by, row.parts_sent) == (OutboxStatus.SENDING, "another", 0)
