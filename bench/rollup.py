"""Time the rollup queries on a database filled by bench/generate.py, and print their plans.

    python bench/rollup.py [--database-url URL] [--repeat 5] [--reference 2026-11-22]
                           [--past 2026-07-15]

Every rollup is as of a date: what had been recorded by its end (tracker/assignments/asof.py).
Prints the machine, the data size, each query's best and median time over --repeat runs
(after one warm-up run) at the reference date (today by default) and at a past date (120 days
earlier by default), and the unit rollup's query plan at the past date (EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite). Read-only: it never changes the database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import add_database_argument, database_url, describe
from tracker.accounts.models import User
from tracker.assignments.models import Assignment, AssignmentState
from tracker.db import make_engine
from tracker.rollups import queries
from tracker.rollups.periods import Period, quarters_up_to
from tracker.units.models import Unit

# The services only look at the role; this head is never written anywhere.
HEAD = User(id=0, username="bench-head", full_name="Benchmark", role="head", password_hash="!")


def _time(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    result = call()  # warm-up: caches and the plan, as on a server that has been running
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times), result


def _plan(engine: Engine, statement: Any) -> list[str]:
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with Session(engine) as session:
        queries.for_reporting(session)  # the settings the timed queries ran with
        if engine.dialect.name == "postgresql":
            rows = session.exec(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).all()
            return [row[0] for row in rows]
        rows = session.exec(text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return [f"{row[1]:>3} {row[3]}" for row in rows]


def run(engine: Engine, *, repeat: int, reference: date, past: date) -> None:
    """Print the timings at both dates and the plan at the past one."""
    with Session(engine) as session:
        units = session.exec(select(func.count()).select_from(Unit)).one()
        assignments = session.exec(select(func.count()).select_from(Assignment)).one()
        states = session.exec(select(func.count()).select_from(AssignmentState)).one()
        print(f"machine: {describe()}")
        print(f"database: {engine.dialect.name} {engine.url.render_as_string()}")
        print(f"data: {units} units, {assignments} assignments, {states} state rows (history)")
    for label, day in (("today", reference), ("past date", past)):
        print(f"\nas of {day} ({label}):")
        _time_cases(engine, repeat=repeat, reference=day)
    print(f"\nplan of the unit rollup (every unit) as of {past}:")
    for line in _plan(engine, queries.unit_rollup(queries.Scope(reference=past))):
        print(f"  {line}")


def _time_cases(engine: Engine, *, repeat: int, reference: date) -> None:
    with Session(engine) as session:
        roots = list(session.exec(select(Unit.id).where(Unit.parent_id.is_(None))).all())
        scope = queries.Scope(reference=reference)
        quarter = Period.quarter_of(reference)
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
            best, median, result = _time(call, repeat)
            size = len(result) if hasattr(result, "__len__") else getattr(result, "total", "")
            print(f"  {name:<48} best {best:8.1f} ms  median {median:8.1f} ms  ({size} rows)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reference", type=date.fromisoformat, default=date.today())
    parser.add_argument("--past", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    past = args.past or args.reference - timedelta(days=120)
    url = database_url(args.database_url)
    engine = make_engine(url)
    try:
        run(engine, repeat=max(args.repeat, 1), reference=args.reference, past=past)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
