"""The inbox at scale: the header's unread count and the inbox page, with 100,000 entries.

    python bench/inbox.py [--people 1000] [--entries 100000] [--database-url URL]

Fills a fresh database (by default a new SQLite file, bench/out/inbox.sqlite3; for PostgreSQL
pass an empty database's URL) with `people` unit accounts and `entries` inbox entries spread
over them (a third unread, a tenth dismissed), each carried by its outbox row as the web
channel leaves them. Then prints the machine and the median / 95th percentile of:
- the header's count of unread entries for one person (every page pays it once);
- the first page of a person's inbox (50 entries);
- delivering web rows: the dispatcher writing 2,000 new entries (entries per second).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select
from sqlmodel import Session, SQLModel

from bench.machine import describe
from tracker import migrate
from tracker.accounts.models import User
from tracker.config import load_settings
from tracker.db import make_engine
from tracker.inbox import events, service
from tracker.inbox.models import Topic
from tracker.reminders import outbox
from tracker.reminders.dispatch import Dispatcher
from tracker.reminders.senders import build_senders

DEFAULT_DATABASE = Path(__file__).resolve().parent / "out" / "inbox.sqlite3"
SAMPLES = 400
DELIVERED = 2000


def _fill(session: Session, *, people: int, entries: int) -> list[int]:
    users = SQLModel.metadata.tables["user_account"]
    rows = [
        {
            "username": f"bench-inbox-{n}",
            "full_name": f"Người {n}",
            "role": "secretary",
            "password_hash": "!",
            "is_active": True,
        }
        for n in range(people)
    ]
    session.execute(insert(users), rows)
    ids = list(session.execute(select(users.c.id).order_by(users.c.id)).scalars())
    day, moment = date(2027, 1, 4), datetime(2027, 1, 4, 2, tzinfo=UTC)
    message_rows = [
        events.web_row(
            user_id=ids[n % people],
            key=f"bench:{n}",
            day=day,
            topic=Topic.REPORT_SUBMITTED,
            params={"unit": "Đơn vị", "code": "1.1", "notice": "01-TB/TU", "percent": 50},
            link="/nhiem-vu/1",
            subject="Báo cáo",
            now=moment,
        )
        | {"status": "sent"}
        for n in range(entries)
    ]
    for start in range(0, entries, 10_000):
        outbox.enqueue(session, message_rows[start : start + 10_000])
    outbox_table = SQLModel.metadata.tables["outbox_message"]
    carried = session.execute(
        select(outbox_table.c.id, outbox_table.c.user_id).order_by(outbox_table.c.id)
    ).all()
    chance = random.Random(7)
    entry_rows = []
    for n, (message_id, user_id) in enumerate(carried):
        created = moment + timedelta(seconds=n)
        unread = chance.random() < 1 / 3
        dismissed = not unread and chance.random() < 0.15
        entry_rows.append(
            {
                "user_id": user_id,
                "outbox_message_id": message_id,
                "topic": Topic.REPORT_SUBMITTED.value,
                "params": {"unit": "Đơn vị", "code": "1.1", "notice": "01-TB/TU", "percent": 50},
                "link": "/nhiem-vu/1",
                "created_at": created,
                "read_at": None if unread else created,
                "dismissed_at": created if dismissed else None,
            }
        )
    entries_table = SQLModel.metadata.tables["inbox_entry"]
    for start in range(0, len(entry_rows), 10_000):
        session.execute(insert(entries_table), entry_rows[start : start + 10_000])
    session.commit()
    return ids


def _timed(samples: int, work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    spent = []
    for n in range(samples):
        started = time.perf_counter()
        work(n)
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


def run(*, database_url: str, people: int, entries: int) -> None:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    print(describe())
    print(f"database: {engine.dialect.name}; {people} people, {entries} inbox entries")
    print(f"load average before: {os.getloadavg()}")
    with Session(engine) as session:
        started = time.perf_counter()
        ids = _fill(session, people=people, entries=entries)
        print(f"filled in {time.perf_counter() - started:.1f} s")
        chance = random.Random(11)
        picks = [chance.choice(ids) for _ in range(SAMPLES)]
        median, p95 = _timed(SAMPLES, lambda n: service.unread_count(session, user_id=picks[n]))
        print(f"header unread count: median {median:.2f} ms, p95 {p95:.2f} ms")
        people_rows = {user.id: user for user in session.exec(select(User)).scalars()}
        median, p95 = _timed(
            SAMPLES,
            lambda n: service.entries(session, actor=people_rows[picks[n]], page=1),
        )
        print(f"inbox page (50 entries): median {median:.2f} ms, p95 {p95:.2f} ms")
        moment = datetime.now(UTC)
        outbox.enqueue(
            session,
            [
                events.web_row(
                    user_id=picks[n % SAMPLES],
                    key=f"bench-deliver:{n}:{time.time_ns()}",
                    day=moment.date(),
                    topic=Topic.EXTENSION_REQUESTED,
                    params={"unit": "Đơn vị", "code": "1.1", "notice": "01", "due": "2027-02-01"},
                    link="/gia-han",
                    subject="Xin gia hạn",
                    now=moment,
                )
                for n in range(DELIVERED)
            ],
        )
        session.commit()
    settings = load_settings(env={}, database_url=database_url)
    with Dispatcher(engine, settings, build_senders(settings, engine), worker="bench") as sender:
        started = time.perf_counter()
        summary = sender.run_until_idle(max_seconds=600, linger=0, batch=200)
        spent = time.perf_counter() - started
    print(
        f"delivered {summary.sent} web rows in {spent:.1f} s: {summary.sent / spent:.0f} entries/s"
    )
    print(f"load average after: {os.getloadavg()}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    run(
        database_url=args.database_url or f"sqlite:///{DEFAULT_DATABASE}",
        people=max(args.people, 1),
        entries=max(args.entries, 1),
    )


if __name__ == "__main__":
    main()
