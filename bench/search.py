"""Time search on a database filled by bench/generate.py: p50 and p95 per kind of person.

    python bench/search.py [--database-url URL] [--repeat 5]

Runs each query --repeat times (after one warm-up) as the head of the board, a district
board's account (its communes below it) and a commune's account, and prints the machine, the
data size, p50/p95 over all runs per person and per query, and the hit counts. Read-only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import add_database_argument, database_url, describe
from tracker.accounts.models import User
from tracker.assignments.models import Assignment, AssignmentComment, ProgressReport
from tracker.db import make_engine
from tracker.search.queries import search
from tracker.units.models import Unit

QUERIES = (
    "quy che dan chu",
    "Quy chế dân chủ ở cơ sở",
    "don doc giai phong mat bang",
    "chuyển đổi số tại các xã",
    "tiep cong",
    "nhiem vu so 1234",
    "Đảng ủy xã số 15",
    "bo sung so lieu",
)
TARGET_MS = 200


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _people(session: Session) -> list[tuple[str, User]]:
    district = session.exec(
        select(Unit.id).where(Unit.parent_id == 1).order_by(Unit.id).limit(1)
    ).first()
    commune = session.exec(
        select(Unit.id).where(Unit.parent_id == district).order_by(Unit.id).limit(1)
    ).first()
    # The services only look at the role and the unit; these people are never written anywhere.
    return [
        ("head", User(id=0, username="b-head", full_name="B", role="head", password_hash="!")),
        (
            "district unit",
            User(
                id=0,
                username="b-d",
                full_name="B",
                role="unit",
                unit_id=district,
                password_hash="!",
            ),
        ),
        (
            "commune unit",
            User(
                id=0, username="b-c", full_name="B", role="unit", unit_id=commune, password_hash="!"
            ),
        ),
    ]


def run(engine: Engine, *, repeat: int) -> None:
    with Session(engine) as session:
        sizes = {
            name: session.exec(select(func.count()).select_from(model)).one()
            for name, model in (
                ("assignments", Assignment),
                ("units", Unit),
                ("progress reports", ProgressReport),
                ("comments", AssignmentComment),
            )
        }
        print(f"machine: {describe()}")
        print(f"database: {engine.dialect.name} {engine.url.render_as_string()}")
        print("data: " + ", ".join(f"{count} {name}" for name, count in sizes.items()))
        worst = 0.0
        for label, person in _people(session):
            every: list[float] = []
            print(f"\n{label}:")
            for query in QUERIES:
                hits, _ = search(session, actor=person, query=query)  # warm-up
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    hits, _ = search(session, actor=person, query=query)
                    times.append((time.perf_counter() - started) * 1000)
                every += times
                print(
                    f"  {query!r:<34} p50 {statistics.median(times):7.1f} ms  "
                    f"max {max(times):7.1f} ms  ({len(hits)} hits shown)"
                )
            p50, p95 = _percentile(every, 0.5), _percentile(every, 0.95)
            worst = max(worst, p95)
            print(f"  all queries: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(every)} runs")
        verdict = "within" if worst < TARGET_MS else "OVER"
        print(f"\nworst p95 {worst:.1f} ms: {verdict} the {TARGET_MS} ms target")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    engine = make_engine(database_url(args.database_url))
    try:
        run(engine, repeat=max(args.repeat, 1))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
