"""Dispatch speed against the fake Telegram Bot API (which enforces Telegram's limits).

    python bench/dispatch.py [--messages 900] [--database-url URL]

Fills a fresh database (by default a new SQLite file, bench/out/dispatch.sqlite3) with N
pending messages to N distinct chats, runs one dispatcher with the real python-telegram-bot
sender against the fake server, and prints the machine, the sustained rate (the median of
five one-second windows after a warm-up second), the overall rate, and how many 429s the fake
answered (Telegram's limits are 30 messages/s overall and 1/s per chat: it must be 0).

It also measures the one window in which a crash could still send a message twice
(tracker/reminders/outbox.py): from the moment the fake Bot API accepted a message to the
moment the dispatcher's commit marking it sent returned (median, 95th percentile, largest).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe
from tests.fakes.telegram_api import TOKEN, running_fake_telegram
from tracker import migrate
from tracker.accounts.models import User
from tracker.config import TelegramSettings, load_settings
from tracker.db import make_engine, unit_of_work
from tracker.notify.senders import build_senders
from tracker.reminders import outbox
from tracker.reminders.dispatch import Dispatcher
from tracker.reminders.models import OutboxMessage

DEFAULT_DATABASE = Path(__file__).resolve().parent / "out" / "dispatch.sqlite3"
WINDOWS = 5


def _fill(database_url: str, messages: int) -> None:
    engine = make_engine(database_url)
    try:
        with unit_of_work(engine) as session:
            user = User(
                username=f"bench-dispatch-{time.time_ns()}",
                full_name="Benchmark",
                role="secretary",
                password_hash="!",
            )
            session.add(user)
            session.flush()
            run = time.time_ns()
            outbox.enqueue(
                session,
                [
                    {
                        "user_id": user.id,
                        "channel": "telegram",
                        "day": date.today(),
                        "covers": outbox.covers_key([(run + n, "before_due")]),
                        "address": str(10_000_000 + n),
                        "body": (
                            "<b>Nhắc việc hằng ngày</b>\n"
                            f"1. Nhiệm vụ {n}.1 đến hạn ngày 09/03/2026\n"
                            f"2. Nhiệm vụ {n}.2 quá hạn 3 ngày làm việc"
                        ),
                        "items": [
                            {"assignment_id": n * 2 + k, "code": f"{n}.{k}", "actionable": True}
                            for k in (1, 2)
                        ],
                    }
                    for n in range(messages)
                ],
            )
    finally:
        engine.dispose()


def run_dispatch_bench(*, messages: int, database_url: str) -> None:
    """Fill, dispatch, print the figures."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(f"{path.name}*"):  # the file and its -wal/-shm
            leftover.unlink()
    migrate.upgrade(database_url)
    _fill(database_url, messages)

    settings = load_settings(env={}, database_url=database_url)
    print(f"machine: {describe()}")
    print(
        f"database: {make_engine(database_url).dialect.name}; {messages} messages to as many chats"
    )
    print(
        f"limits: {settings.reminders.telegram_per_second:g} messages/s per dispatcher, "
        f"{settings.reminders.telegram_per_chat_seconds:g} s per chat"
    )
    with running_fake_telegram() as fake:
        settings = dataclasses.replace(
            settings, telegram=TelegramSettings(token=TOKEN, base_url=fake.base_url)
        )
        engine = make_engine(database_url)
        dispatcher = Dispatcher(
            engine, settings, build_senders(settings, engine), worker="bench-dispatch"
        )
        committed = _time_commits(dispatcher)
        started = time.monotonic()
        try:
            summary = dispatcher.run_until_idle(max_seconds=messages / 5 + 60)
        finally:
            dispatcher.close()
            engine.dispose()
        elapsed = time.monotonic() - started
        arrivals = sorted(call.at for call in fake.calls if call.method == "sendMessage")
        accepted = {
            str(call.params.get("chat_id")): call.at
            for call in fake.calls
            if call.method == "sendMessage" and call.status == 200
        }
        delivered = len(fake.sent())
        refused = fake.rate_limit_hits
        windows_ms = _windows_ms(database_url, committed, accepted)

    print(
        f"sent {summary.sent}, retried {summary.retried}, waited {summary.waited}, "
        f"failed {summary.failed}; the fake recorded {delivered} deliveries"
    )
    first = arrivals[0] if arrivals else 0.0
    windows = [
        sum(1 for at in arrivals if first + 1 + k <= at < first + 2 + k) for k in range(WINDOWS)
    ]
    if arrivals and arrivals[-1] - first >= WINDOWS + 1:
        print(
            f"sustained: {statistics.median(windows):.1f} messages/s "
            f"(median of {WINDOWS} one-second windows after a warm-up second: {windows})"
        )
    else:
        print("sustained: too few messages for the windows; use --messages 300 or more")
    print(f"overall: {delivered / elapsed:.1f} messages/s ({delivered} in {elapsed:.1f} s)")
    print(f"429 answers from the fake: {refused}")
    if windows_ms:
        ordered = sorted(windows_ms)
        print(
            "duplicate window (accepted by the Bot API -> our commit returned): "
            f"median {statistics.median(ordered):.1f} ms, "
            f"95th percentile {ordered[int(len(ordered) * 0.95) - 1]:.1f} ms, "
            f"largest {ordered[-1]:.1f} ms over {len(ordered)} messages"
        )


def _time_commits(dispatcher: Dispatcher) -> dict[int, float]:
    """When each mark_sent commit returned (wall clock), by message id."""
    committed: dict[int, float] = {}
    record = dispatcher.record
    call = record._call

    def timed(function: Any, **arguments: Any) -> Any:
        result = call(function, **arguments)
        if function is outbox.mark_sent:
            committed[arguments["message_id"]] = time.time()
        return result

    record._call = timed  # type: ignore[method-assign]
    return committed


def _windows_ms(
    database_url: str, committed: dict[int, float], accepted: dict[str, float]
) -> list[float]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            addresses = dict(
                connection.execute(select(OutboxMessage.id, OutboxMessage.address)).all()  # type: ignore[call-overload]
            )
    finally:
        engine.dispose()
    return [
        (at - accepted[addresses[message_id]]) * 1000
        for message_id, at in committed.items()
        if addresses.get(message_id) in accepted
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=900)
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{DEFAULT_DATABASE}",
        help="a throwaway database (SQLite files are recreated); default: bench/out/",
    )
    args = parser.parse_args(argv)
    run_dispatch_bench(messages=max(args.messages, 1), database_url=args.database_url)


if __name__ == "__main__":
    main()
