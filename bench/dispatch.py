"""Dispatch speed against the fake Telegram Bot API (which enforces Telegram's limits).

    python bench/dispatch.py [--messages 900] [--database-url URL]
    python bench/dispatch.py --processes 4 --messages 3000 --database-url postgresql+psycopg://...

With --processes N (PostgreSQL or Redis: the rate limits are shared), N dispatcher processes
(tests/reminders/dispatch_worker.py, the real sender and the settings' 28 messages/s) empty
the outbox together; the fake answers 429 above 30 messages in any one-second window. It
prints the 429s (0 expected), the sustained rate, how many times each chat got its message
(exactly once expected) and the per-second histogram, with the machine's load.

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
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe
from tests.fakes.telegram_api import TOKEN, running_fake_telegram
from tracker import migrate
from tracker.accounts.models import User
from tracker.config import TelegramSettings, load_settings
from tracker.db import make_engine, unit_of_work
from tracker.reminders import outbox
from tracker.reminders.dispatch import Dispatcher
from tracker.reminders.models import OutboxMessage
from tracker.reminders.senders import build_senders

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


WORKER = Path(__file__).resolve().parents[1] / "tests" / "reminders" / "dispatch_worker.py"
LIMIT_PER_SECOND = 30


def run_processes_bench(*, messages: int, database_url: str, processes: int) -> None:
    """N dispatcher processes share the outbox and the limits; print what the fake saw."""
    migrate.upgrade(database_url)
    _fill(database_url, messages)
    settings = load_settings(env={}, database_url=database_url)
    per_second = settings.reminders.telegram_per_second
    print(f"machine: {describe()}")
    print(f"load average before: {_load()}")
    print(
        f"database: {make_engine(database_url).dialect.name}; {messages} messages to as many "
        f"chats; {processes} dispatcher processes sharing {per_second:g} messages/s; the fake "
        f"answers 429 above {LIMIT_PER_SECOND} in any one-second window"
    )
    with running_fake_telegram() as fake:
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(WORKER),
                    "--database-url",
                    database_url,
                    "--base-url",
                    fake.base_url,
                    "--worker",
                    f"bench-{number}",
                    "--per-second",
                    str(per_second),
                    "--max-seconds",
                    str(messages / per_second * 3 + 120),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for number in range(processes)
        ]
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        started = time.monotonic()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        summaries = [
            json.loads(worker.communicate()[0].strip().splitlines()[-1]) for worker in workers
        ]
        elapsed = time.monotonic() - started
        requests = sorted(call.at for call in fake.calls if call.method == "sendMessage")
        per_chat = Counter(str(params.get("chat_id")) for params in fake.sent())
        refused = fake.rate_limit_hits
    print(f"load average after: {_load()}")
    _print_dwell(database_url)
    for number, summary in enumerate(summaries):
        print(f"dispatcher {number}: sent {summary['sent']}, retried {summary['retried']}")
    _print_processes_figures(requests, per_chat, refused, messages, elapsed)


def _print_processes_figures(
    requests: list[float], per_chat: Counter[str], refused: int, messages: int, elapsed: float
) -> None:
    print(f"429 answers from the fake: {refused} (0 expected)")
    once = sum(1 for count in per_chat.values() if count == 1)
    print(
        f"exactly once: {once} of {messages} chats got their message once; "
        f"{sum(1 for c in per_chat.values() if c > 1)} more than once; "
        f"{messages - len(per_chat)} never"
    )
    if len(requests) < 3:
        return
    first, last = requests[0], requests[-1]
    bins = Counter(int(at - first) for at in requests)
    seconds = int(last - first) + 1
    histogram = [bins.get(second, 0) for second in range(seconds)]
    full = histogram[1:-1] or histogram
    busiest = max(_window_counts(requests))
    sustained = (len(requests) - 1) / (last - first)
    print(
        f"sustained: {sustained:.2f} messages/s from the first request to the last "
        f"({len(requests)} in {last - first:.1f} s; {sustained / LIMIT_PER_SECOND:.1%} of "
        f"the {LIMIT_PER_SECOND}/s limit); median second {statistics.median(full):g}, "
        f"busiest one-second window {busiest}"
    )
    print(f"overall with start-up: {len(requests) / elapsed:.2f} messages/s in {elapsed:.1f} s")
    print("requests per second (histogram):")
    print("  " + " ".join(str(count) for count in histogram))
    shape = Counter(full)
    print(
        "  seconds by count: "
        + ", ".join(f"{count}/s × {times}" for count, times in sorted(shape.items()))
    )


def _print_dwell(database_url: str) -> None:
    """How long the last grants stayed in flight (grant -> finish): the shared window lets
    at most 30 requests in flight or finished within a second, so the rate is at most
    30 / (1 + this)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            dwell = sorted(
                row[0]
                for row in connection.execute(
                    text("SELECT done - granted FROM rate_grant WHERE done IS NOT NULL")
                )
            )
    except Exception:  # SQLite, or no grants kept
        dwell = []
    finally:
        engine.dispose()
    if dwell:
        print(
            f"grant -> finish of the last {len(dwell)} requests: median "
            f"{statistics.median(dwell) * 1000:.0f} ms, 95th percentile "
            f"{dwell[int(len(dwell) * 0.95) - 1] * 1000:.0f} ms"
        )


def _window_counts(times: list[float]) -> list[int]:
    """For each request, how many requests fall in the one second that starts with it."""
    counts, end = [], 0
    for start, at in enumerate(times):
        while end < len(times) and times[end] < at + 1.0:
            end += 1
        counts.append(end - start)
    return counts


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=900)
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{DEFAULT_DATABASE}",
        help="a throwaway database (SQLite files are recreated); default: bench/out/",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="dispatcher processes (more than one needs PostgreSQL or Redis)",
    )
    args = parser.parse_args(argv)
    if args.processes > 1:
        run_processes_bench(
            messages=max(args.messages, 1),
            database_url=args.database_url,
            processes=args.processes,
        )
        return
    run_dispatch_bench(messages=max(args.messages, 1), database_url=args.database_url)


if __name__ == "__main__":
    main()
