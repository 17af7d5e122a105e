"""Time the rollup queries over a generated province, on SQLite and PostgreSQL, and print plans.

    python bench/rollup.py [--database-url URL ...] [--units 2000] [--assignments 1000000]
                           [--repeat 5] [--reference 2026-11-22] [--past 2026-07-15] [--no-plan]

Every rollup is as of a date: what had been recorded by its end (tracker/assignments/asof.py).
Target (issue 13): the as-of rollup of 2,000 units / 1,000,000 assignments with their history
under 0.5 s median on PostgreSQL and under 2 s on SQLite, at a past date as at today.

Without --database-url it runs on both: SQLite in bench/out/rollup-<assignments>.sqlite3 and
PostgreSQL in the database tracker_bench_rollup_<assignments> of $TRACKER_BENCH_POSTGRES_URL's
server (default postgresql+psycopg://postgres@127.0.0.1:5432/, created if missing). A database
without assignments is first migrated and filled by bench/generate.py (about 3 minutes per
database for a million assignments on 2 shared cores; PostgreSQL is then vacuumed and analysed)
and kept: later runs only migrate it (new indexes) and time.

Prints the machine and the load average (the machine may be shared: a median taken under load is
that much slower, so the median CPU time of the database's process is printed too: this
process for SQLite, the server process for a PostgreSQL on this machine),
the data size, each query's best and median time over --repeat runs (after one warm-up run) at
the reference date (today by default) and at a past date (120 days earlier by default), and the
unit rollup's plan at the past date (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import generate
from bench.machine import describe
from tracker import migrate
from tracker.accounts.models import User
from tracker.assignments.models import Assignment, AssignmentState
from tracker.db import make_engine
from tracker.rollups import queries
from tracker.rollups.periods import Period, quarters_up_to
from tracker.units.models import Unit

# The services only look at the role; this head is never written anywhere.
HEAD = User(id=0, username="bench-head", full_name="Benchmark", role="head", password_hash="!")
OUT = Path(__file__).resolve().parent / "out"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def default_urls(assignments: int) -> list[str]:
    """SQLite and PostgreSQL databases named after the data size, so each size is kept."""
    server = make_url(os.environ.get("TRACKER_BENCH_POSTGRES_URL", POSTGRES_SERVER))
    return [
        f"sqlite:///{OUT / f'rollup-{assignments}.sqlite3'}",
        server.set(database=f"tracker_bench_rollup_{assignments}").render_as_string(
            hide_password=False
        ),
    ]


def load() -> str:
    """The load average over 1, 5 and 15 minutes, and the cores it is shared by."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of `url` if its server has none of that name."""
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as server:
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{parsed.database}"')


def prepare(url: str, *, units: int, assignments: int) -> Engine:
    """The migrated database of `url`, filled by bench/generate.py the first time only."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    elif url.startswith("postgresql"):
        _create_postgres_database(url)
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        present = session.exec(select(func.count()).select_from(Assignment)).one()
    if not present:
        print(f"generating {units} units, {assignments} assignments into {_name(engine)} ...")
        summary = generate(engine, units=units, assignments=assignments)
        print(
            f"generated {summary.assignments} assignments, {summary.states} state rows "
            f"in {summary.seconds:.0f} s (kept for later runs)"
        )
    return engine


def _name(engine: Engine) -> str:
    return f"{engine.dialect.name} {engine.url.render_as_string()}"


def _cpu_clock(session: Session) -> Callable[[], float]:
    """The CPU seconds of whatever runs the queries: this process for SQLite; for PostgreSQL
    on this machine, its server process (/proc; parallel workers, if any, not counted)."""
    if session.get_bind().dialect.name == "sqlite":
        return time.process_time
    pid = session.exec(text("SELECT pg_backend_pid()")).one()[0]  # type: ignore[call-overload]
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return lambda: float("nan")
    ticks = os.sysconf("SC_CLK_TCK")

    def backend() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return backend


def _time(
    call: Callable[[], Any], repeat: int, cpu_clock: Callable[[], float]
) -> tuple[float, float, float, Any]:
    """(best, median, median CPU time of the database's process) in ms, and the last result."""
    result = call()  # warm-up: caches and the plan, as on a server that has been running
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), cpu_clock()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((cpu_clock() - started_cpu) * 1000)
    return min(times), statistics.median(times), statistics.median(cpu), result


def _plan(engine: Engine, statement: Any) -> list[str]:
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with Session(engine) as session:
        queries.for_reporting(session)  # the settings the timed queries ran with
        if engine.dialect.name == "postgresql":
            rows = session.exec(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).all()
            return [row[0] for row in rows]
        rows = session.exec(text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return [f"{row[1]:>3} {row[3]}" for row in rows]


def run(engine: Engine, *, repeat: int, reference: date, past: date, plan: bool = True) -> None:
    """Print the timings at both dates and the plan at the past one."""
    with Session(engine) as session:
        units = session.exec(select(func.count()).select_from(Unit)).one()
        assignments = session.exec(select(func.count()).select_from(Assignment)).one()
        states = session.exec(select(func.count()).select_from(AssignmentState)).one()
    print(f"\ndatabase: {_name(engine)}")
    print(f"data: {units} units, {assignments} assignments, {states} state rows (history)")
    print(f"before: {load()}")
    for label, day in (("today", reference), ("past date", past)):
        print(f"as of {day} ({label}):")
        _time_cases(engine, repeat=repeat, reference=day)
    print(f"after: {load()}")
    if plan:
        print(f"plan of the unit rollup (every unit) as of {past}:")
        for line in _plan(engine, queries.unit_rollup(queries.Scope(reference=past))):
            print(f"  {line}")


def _time_cases(engine: Engine, *, repeat: int, reference: date) -> None:
    with Session(engine) as session:
        roots = list(session.exec(select(Unit.id).where(Unit.parent_id.is_(None))).all())
        scope = queries.Scope(reference=reference)
        quarter = Period.quarter_of(reference)
        # CPU time beside the wall clock: on a shared machine the median waits for the others.
        cpu_clock = _cpu_clock(session)
        cases: list[tuple[str, Callable[[], Any]]] = [
            (
                "unit rollup, every unit with its subtree",
                lambda: queries.by_unit(session, actor=HEAD, scope=scope),
            ),
            (
                "unit rollup, top-level units (dashboard)",
                lambda: queries.by_unit(session, actor=HEAD, scope=scope, unit_ids=roots),
            ),
            ("totals", lambda: queries.totals(session, actor=HEAD, scope=scope)),
            (
                f"unit rollup, every unit, due in {quarter.code}",
                lambda: queries.by_unit(
                    session,
                    actor=HEAD,
                    scope=queries.Scope(reference=reference, period=quarter),
                ),
            ),
            (
                "by period, last 6 quarters",
                lambda: queries.by_period(
                    session, actor=HEAD, scope=scope, periods=quarters_up_to(quarter, 6)
                ),
            ),
            ("by notice", lambda: queries.by_notice(session, actor=HEAD, scope=scope)),
        ]
        for name, call in cases:
            best, median, cpu, result = _time(call, repeat, cpu_clock)
            size = len(result) if hasattr(result, "__len__") else getattr(result, "total", "")
            print(
                f"  {name:<44} best {best:7.1f} ms  median {median:7.1f} ms  "
                f"cpu {cpu:7.1f} ms  ({size} rows)"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        default=None,
        help="repeatable; default: SQLite and PostgreSQL databases kept per data size",
    )
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reference", type=date.fromisoformat, default=date.today())
    parser.add_argument("--past", type=date.fromisoformat, default=None)
    parser.add_argument("--no-plan", action="store_true", help="leave the query plans out")
    args = parser.parse_args(argv)
    past = args.past or args.reference - timedelta(days=120)
    print(f"machine: {describe()}")
    print(f"{load()}")
    for url in args.database_url or default_urls(args.assignments):
        engine = prepare(url, units=args.units, assignments=args.assignments)
        try:
            run(
                engine,
                repeat=max(args.repeat, 1),
                reference=args.reference,
                past=past,
                plan=not args.no_plan,
            )
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
