"""Benchmarks of the reminders: planning a day's digests over a province-sized data set, and
sending them against the fake Telegram Bot API.

    python bench/reminders.py plan [--database-url URL] [--repeat 5] [--day 2027-03-10]
    python bench/reminders.py dispatch [--messages 900] [--database-url URL]

`dispatch` is bench/dispatch.py (its docstring says what it measures).

`plan` builds its own data with bulk inserts into a fresh migrated database (by default a new
SQLite file, bench/out/reminders.sqlite3, replaced on every run; a database given with
--database-url must hold no data yet): 2,000 units, one unit user per unit with an active
Telegram link, a few heads, 100,000 open assignments of published notices (plus finished ones
and drafts that planning must skip) with due dates spread around the planning day so that every
rule fires. It then times plan_day --repeat times on the same day, emptying the outbox between
runs (not timed), and prints the machine, the counts, each run, the best and the median.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, delete, func, select, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dispatch import DEFAULT_DATABASE as DISPATCH_DATABASE
from bench.dispatch import run_dispatch_bench
from bench.machine import describe
from tracker import migrate
from tracker.accounts.models import ChatLink, User
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.config import Settings, TelegramSettings, load_settings
from tracker.db import make_engine
from tracker.notices.models import Conclusion, Task
from tracker.reminders.models import OutboxMessage
from tracker.reminders.planning import PlanSummary, plan_day
from tracker.units.models import Unit
from tracker.workdays import WorkCalendar

OUT = Path(__file__).resolve().parent / "out"
CREATED_AT = datetime(2026, 10, 1, tzinfo=UTC)
TASKS_PER_NOTICE = 20
UNITS_PER_TASK = 5
BATCH = 10_000
DRAFT_NOTICES = 50
# Due dates from this many days before the planning day to as many after it.
SPREAD_DAYS = 90


@dataclass(frozen=True)
class DataSet:
    units: int
    users: int
    heads: int
    chat_links: int
    open_assignments: int
    other_assignments: int
    recurring: int
    new: int
    decisions: int
    seconds: float


def _insert(engine: Engine, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(table.insert(), list(rows[start : start + BATCH]))


def _stamp(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"created_at": CREATED_AT, "updated_at": CREATED_AT}


def build(
    engine: Engine,
    *,
    day: date,
    units: int,
    assignments: int,
    heads: int,
    timezone: str,
    seed: int = 1,
) -> DataSet:
    """Write the data set around `day`; refuse a database that holds data already."""
    with engine.connect() as connection:
        for model in (User, Unit, Assignment):
            if connection.execute(select(func.count()).select_from(model)).scalar_one():
                raise SystemExit(
                    "Cơ sở dữ liệu đã có dữ liệu: hãy dùng một CSDL trống. "
                    "/ The database is not empty: use an empty one."
                )
    started = time.perf_counter()
    rng = random.Random(seed)
    zone = ZoneInfo(timezone)
    # Created the afternoon before: NEW in the planning day's digest.
    yesterday = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=zone)
    recent = (yesterday + timedelta(hours=15)).astimezone(UTC)

    unit_rows = [
        _stamp(
            {
                "id": number,
                "code": f"U{number:05d}",
                "name": f"Đơn vị số {number}",
                "aliases": [],
                "parent_id": None if number == 1 else 1,
                "is_active": True,
            }
        )
        for number in range(1, units + 1)
    ]
    person = {"password_hash": "!", "is_active": True, "created_at": CREATED_AT, "unit_id": None}
    user_rows = [
        person
        | {"id": 1, "username": "bench-secretary", "full_name": "Thư ký", "role": "secretary"}
    ]
    user_rows += [
        person
        | {
            "id": 1 + number,
            "username": f"donvi{number}",
            "full_name": f"Cán bộ đơn vị {number}",
            "role": "unit",
            "unit_id": number,
        }
        for number in range(1, units + 1)
    ]
    user_rows += [
        person
        | {
            "id": 1 + units + number,
            "username": f"lanhdao{number}",
            "full_name": f"Lãnh đạo {number}",
            "role": "head",
        }
        for number in range(1, heads + 1)
    ]
    link_rows = [
        {
            "id": row["id"],
            "user_id": row["id"],
            "channel": "telegram",
            "external_id": str(100_000_000 + row["id"]),
            "is_active": True,
            "linked_at": CREATED_AT,
        }
        for row in user_rows
        if row["role"] in ("unit", "head")
    ]

    published_tasks = -(-assignments * 11 // 10 // UNITS_PER_TASK)
    published = -(-published_tasks // TASKS_PER_NOTICE)
    notice_rows = []
    for number in range(1, published + DRAFT_NOTICES + 1):
        is_published = number <= published
        notice_rows.append(
            _stamp(
                {
                    "id": number,
                    "number": f"{number}-TB/BENCH",
                    "title": f"Thông báo kết luận {number}",
                    "parse_warnings": [],
                    "status": "published" if is_published else "draft",
                    "version": 1,
                    "created_by_id": 1,
                    "published_by_id": 1 if is_published else None,
                    "published_at": CREATED_AT if is_published else None,
                }
            )
        )
    task_rows = []
    assignment_rows = []
    open_count = other = recurring = new = 0
    for task_id in range(1, (published + DRAFT_NOTICES) * TASKS_PER_NOTICE + 1):
        notice_id = (task_id - 1) // TASKS_PER_NOTICE + 1
        due = day + timedelta(days=rng.randint(-SPREAD_DAYS, SPREAD_DAYS))
        monthly = rng.random() < 0.05
        task_rows.append(
            _stamp(
                {
                    "id": task_id,
                    "conclusion_id": notice_id,
                    "position": task_id % TASKS_PER_NOTICE,
                    "code": f"{task_id % 7 + 1}.{task_id % TASKS_PER_NOTICE + 1}",
                    "text": f"Nhiệm vụ số {task_id}: triển khai, kiểm tra và báo cáo kết quả "
                    "thực hiện kết luận của Ban Thường vụ Tỉnh ủy tại địa bàn",
                    "due": due,
                    "recurrence": "monthly" if monthly else None,
                    "needs_review": False,
                    "warnings": [],
                }
            )
        )
        created = recent if rng.random() < 0.01 else CREATED_AT
        for offset in range(UNITS_PER_TASK):
            number = len(assignment_rows) + 1
            finished = notice_id <= published and (open_count >= assignments or number % 11 == 0)
            if notice_id <= published and not finished:
                open_count += 1
                recurring += monthly
                new += created is recent
            else:
                other += 1
            assignment_rows.append(
                {
                    "id": number,
                    "task_id": task_id,
                    "unit_id": (task_id * 7919 + offset) % units + 1,
                    "due": due,
                    "status": "done" if finished else rng.choice(("not_started", "in_progress")),
                    "percent": 100 if finished else 0,
                    "completed_on": due if finished else None,
                    "parent_id": None,
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
    # Extension decisions since the previous digest, told to the unit users who asked.
    undecided = (row for row in assignment_rows if row["status"] != "done")
    decisions = [
        {
            "id": number,
            "assignment_id": row["id"],
            "requested_by_id": 1 + row["unit_id"],
            "requested_at": CREATED_AT,
            "current_due": row["due"],
            "requested_due": row["due"] + timedelta(days=30),
            "reason": "Chờ số liệu",
            "status": "approved" if number % 3 else "refused",
            "decided_by_id": 1,
            "decided_at": recent,
            "decision_comment": None if number % 3 else "Không đủ căn cứ",
        }
        for number, row in enumerate(islice(undecided, 200), start=1)
    ]

    _insert(engine, Unit.__table__, unit_rows)
    _insert(engine, User.__table__, user_rows)
    _insert(engine, ChatLink.__table__, link_rows)
    _insert(engine, Conclusion.__table__, notice_rows)
    _insert(engine, Task.__table__, task_rows)
    _insert(engine, Assignment.__table__, assignment_rows)
    _insert(engine, ExtensionRequest.__table__, decisions)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in ("unit", "user_account", "chat_link", "conclusion", "task", "assignment"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
        connection.execute(text("ANALYZE"))
    return DataSet(
        units=units,
        users=len(user_rows),
        heads=heads,
        chat_links=len(link_rows),
        open_assignments=open_count,
        other_assignments=other,
        recurring=recurring,
        new=new,
        decisions=len(decisions),
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Run:
    seconds: float
    # This process's CPU time: on a shared machine it shows how much of the wall time was
    # ours (SQLite works in-process; a PostgreSQL server's work is not counted).
    cpu_seconds: float
    summary: PlanSummary


def time_planning(engine: Engine, *, day: date, settings: Settings, repeat: int) -> list[Run]:
    """plan_day (and its commit) `repeat` times on `day`, with an empty outbox each time."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(settings.timezone))
    now = (at + timedelta(hours=settings.reminders.digest_hour)).astimezone(UTC)
    runs = []
    for _ in range(repeat):
        with engine.begin() as connection:
            connection.execute(delete(OutboxMessage))
        started, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as session:
            summary = plan_day(session, day=day, now=now, settings=settings)
            session.commit()
        runs.append(Run(time.perf_counter() - started, time.process_time() - cpu, summary))
    return runs


def run_plan(args: argparse.Namespace) -> None:
    """The `plan` command: build, then time planning."""
    url = args.database_url
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "reminders.sqlite3"
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    if not WorkCalendar(years=[args.day.year]).is_working_day(args.day):
        raise SystemExit(f"--day {args.day} is not a working day: nothing would be planned")
    migrate.upgrade(url)
    settings = replace(
        load_settings(env={}, database_url=url),
        telegram=TelegramSettings(token="bench:token"),
    )
    engine = make_engine(url)
    try:
        data = build(
            engine,
            day=args.day,
            units=args.units,
            assignments=args.assignments,
            heads=args.heads,
            timezone=settings.timezone,
        )
        print(f"machine: {describe()}")
        print(f"database: {engine.dialect.name} {engine.url.render_as_string()}")
        print(
            f"data: {data.units} units, {data.users} users ({data.heads} heads), "
            f"{data.chat_links} Telegram links; {data.open_assignments:,} open assignments "
            f"({data.recurring:,} monthly, {data.new:,} new) and {data.other_assignments:,} "
            f"done or in drafts; {data.decisions} extension decisions; "
            f"built in {data.seconds:.1f} s"
        )
        runs = time_planning(engine, day=args.day, settings=settings, repeat=args.repeat)
    finally:
        engine.dispose()
    seconds = [run.seconds for run in runs]
    summary = runs[-1].summary
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"plan_day {args.day} ({args.repeat} runs, the first one cold; load average {load}):")
    for number, run in enumerate(runs, start=1):
        print(
            f"  run {number}: {run.seconds:.3f} s (cpu {run.cpu_seconds:.3f} s), "
            f"{run.summary.messages_created} messages"
        )
    print(
        f"best {min(seconds):.3f} s  median {statistics.median(seconds):.3f} s; "
        f"{summary.messages_created} messages created for {summary.people_reminded} people "
        f"({summary.people_without_channel} without a channel)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="time planning a day's digests")
    plan.add_argument(
        "--database-url",
        default=None,
        help="an empty database to fill (default: a fresh bench/out/reminders.sqlite3)",
    )
    plan.add_argument("--repeat", type=int, default=5)
    plan.add_argument("--day", type=date.fromisoformat, default=date(2027, 3, 10))
    plan.add_argument("--units", type=int, default=2000)
    plan.add_argument("--assignments", type=int, default=100_000)
    plan.add_argument("--heads", type=int, default=3)
    plan.set_defaults(run=run_plan)

    dispatch = commands.add_parser("dispatch", help="time sending against the fake Bot API")
    dispatch.add_argument("--messages", type=int, default=900)
    dispatch.add_argument(
        "--database-url",
        default=f"sqlite:///{DISPATCH_DATABASE}",
        help="a throwaway database (SQLite files are recreated); default: bench/out/",
    )
    dispatch.set_defaults(
        run=lambda args: run_dispatch_bench(
            messages=max(args.messages, 1), database_url=args.database_url
        )
    )

    args = parser.parse_args(argv)
    if getattr(args, "repeat", 1) < 1:
        parser.error("--repeat must be at least 1")
    args.run(args)


if __name__ == "__main__":
    main()
