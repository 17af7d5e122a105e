"""Time the filtered lists on a database filled by bench/generate.py: p50 and p95 per query.

    python bench/lists.py [--database-url URL] [--repeat 7]

Each query is what a page asks for (the COUNT for the line "1–50 of N", then the page of rows,
or every row for an export), run --repeat times after one warm-up, as the head, a district
board's account (its communes below it) and the secretary. Prints the machine, the data size,
p50/p95 per query and the row counts. Read-only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import add_database_argument, database_url, describe
from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.assignments.status import Category
from tracker.db import make_engine
from tracker.lists import assignments as lists
from tracker.lists import export
from tracker.lists import notices as notice_lists
from tracker.lists.core import Sort, fetch_page
from tracker.lists.pages import _export_table
from tracker.units.models import Unit

EXPORT_ROWS = 5_000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _person(role: str, unit_id: int | None = None) -> User:
    # The services only look at the role and the unit; these people are never written anywhere.
    return User(
        id=0, username=f"b-{role}", full_name="B", role=role, unit_id=unit_id, password_hash="!"
    )


def _page(
    session: Session, viewer: lists.Viewer, filters: lists.Filters, sort: Sort, page: int = 1
) -> int:
    """One list page as the view asks for it: the total, then the rows of the page."""
    total = lists.count(session, viewer, filters, TODAY)
    rows = fetch_page(
        session, lists.statement(session, viewer, filters, sort, TODAY), number=page, total=total
    )
    lists.rows(viewer, rows.rows)
    return total


def _unit_home(session: Session, unit_id: int) -> int:
    """The unit's home: who sees what (its assignments), its open work, page 1, and the four
    counts at the top."""
    viewer = lists.Viewer.of(session, _person("unit", unit_id), lists.Audience.UNIT)
    total = _page(session, viewer, lists.Filters(status=lists.OPEN), lists.DEFAULT_SORT)
    lists.unit_tallies(session, viewer, TODAY)
    return total


def _export(session: Session, viewer: lists.Viewer, kind: str) -> int:
    filters = lists.Filters(status=lists.EVERY)
    statement = lists.statement(session, viewer, filters, Sort("don-vi"), TODAY)
    capped = statement.limit(EXPORT_ROWS)
    found = lists.rows(viewer, session.exec(capped).all())  # type: ignore[call-overload]
    table = _export_table(found, lists.count(session, viewer, filters, TODAY), TODAY)
    data = export.to_csv(table) if kind == "csv" else export.to_xlsx(table)
    assert data
    return len(found)


def _notices(session: Session, secretary: User) -> int:
    filters = notice_lists.Filters(due_window=lists.OVERDUE)
    total = notice_lists.count(session, secretary, filters, TODAY)
    statement = notice_lists.statement(
        session, secretary, filters, notice_lists.DEFAULT_SORT, TODAY
    )
    page = fetch_page(session, statement, number=1, total=total)
    notice_lists.load_rows(session, page.rows, TODAY)
    return total


TODAY = date.today()


def queries(session: Session) -> list[tuple[str, Callable[[], int]]]:
    district_id = session.exec(
        select(col(Unit.id)).where(Unit.parent_id == 1).order_by(col(Unit.id)).limit(1)
    ).one()
    assert district_id is not None
    head = lists.Viewer.of(session, _person("head"), lists.Audience.ROLLUP)
    district = lists.Viewer.of(session, _person("unit", district_id), lists.Audience.UNIT)
    everyone = lists.Viewer.of(session, _person("secretary"), lists.Audience.ALL)
    overdue = lists.Filters(category=Category.OVERDUE)
    return [
        (
            "head drill-down: overdue, by due date",
            lambda: _page(session, head, overdue, Sort("han")),
        ),
        (
            "head drill-down: overdue of one district, by unit",
            lambda: _page(
                session,
                head,
                lists.Filters(category=Category.OVERDUE, unit_id=district_id),
                Sort("don-vi"),
            ),
        ),
        ("district's home: open work + 4 counts", lambda: _unit_home(session, district_id)),
        # The board at the top of the tree, as a unit account: every unit is below it.
        ("province board's home (whole tree)", lambda: _unit_home(session, 1)),
        (
            "district: open work by progress, page 3",
            lambda: _page(
                session, district, lists.Filters(status=lists.OPEN), Sort("tien-do", True), 3
            ),
        ),
        (
            "secretary: every assignment, by notice",
            lambda: _page(session, everyone, lists.Filters(), Sort("nhiem-vu")),
        ),
        (
            "secretary: due within 7 days, by unit",
            lambda: _page(
                session,
                everyone,
                lists.Filters(status=lists.OPEN, due_window=lists.WITHIN_7),
                Sort("don-vi"),
            ),
        ),
        ("secretary: notices with overdue work", lambda: _notices(session, _person("secretary"))),
        (f"CSV export of {EXPORT_ROWS:,} rows", lambda: _export(session, everyone, "csv")),
        (f"Excel export of {EXPORT_ROWS:,} rows", lambda: _export(session, everyone, "xlsx")),
    ]


def run(engine: Engine, *, repeat: int) -> None:
    with Session(engine) as session:
        assignments = session.exec(select(func.count()).select_from(Assignment)).one()
        units = session.exec(select(func.count()).select_from(Unit)).one()
        print(f"machine: {describe()}; load average {os.getloadavg()[0]:.2f}")
        print(f"database: {engine.dialect.name} {engine.url.render_as_string()}")
        print(f"data: {assignments} assignments, {units} units; today {TODAY:%d/%m/%Y}")
        every: list[float] = []
        for label, query in queries(session):
            rows = query()  # warm-up
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                query()
                times.append((time.perf_counter() - started) * 1000)
                session.rollback()  # a page is one request: one short transaction
            every += times
            print(
                f"  {label:<50} p50 {statistics.median(times):7.1f} ms  "
                f"p95 {_percentile(times, 0.95):7.1f} ms  ({rows} rows)"
            )
        print(f"all: p50 {_percentile(every, 0.5):.1f} ms, p95 {_percentile(every, 0.95):.1f} ms")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    engine = make_engine(database_url(args.database_url))
    try:
        run(engine, repeat=max(args.repeat, 1))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
