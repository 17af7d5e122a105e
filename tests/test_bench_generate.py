"""bench/generate.py writes a consistent data set quickly, and never into a used database."""

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bench.generate import generate, quarters_ending
from tracker.assignments.models import Assignment, ProgressReport
from tracker.notices.models import Conclusion, Task
from tracker.units.models import Unit

TODAY = date(2026, 11, 22)


def test_generated_data_spans_quarters_and_statuses(engine: Engine, session: Session) -> None:
    summary = generate(engine, units=40, assignments=1_003, quarters=6, today=TODAY)
    assert (summary.units, summary.assignments) == (40, 1_003)
    assert session.exec(select(func.count()).select_from(Assignment)).one() == 1_003
    assert session.exec(select(func.count()).select_from(Unit)).one() == 40
    periods = set(session.exec(select(Conclusion.period)).all())
    assert len(periods) == 6
    statuses = set(session.exec(select(Assignment.status)).all())
    assert statuses == {"not_started", "in_progress", "done", "cancelled"}
    tasks = session.exec(select(func.count()).select_from(Task)).one()
    pairs = session.exec(
        select(func.count(func.distinct(Assignment.task_id * 100_000 + Assignment.unit_id)))
    ).one()
    assert pairs == 1_003 and tasks == 201
    # Text for search: varied task words, progress reports and comments.
    assert summary.reports > 100 and summary.comments > 30
    assert session.exec(select(func.count()).select_from(ProgressReport)).one() == summary.reports
    assert len(set(session.exec(select(Task.text)).all())) == tasks
    # Every unit below the root has a parent: a real tree for the rollups.
    orphans = session.exec(
        select(func.count()).select_from(Unit).where(Unit.parent_id.is_(None))
    ).one()
    assert orphans == 1


def test_a_database_in_use_is_refused(engine: Engine) -> None:
    generate(engine, units=10, assignments=20, today=TODAY)
    with pytest.raises(SystemExit, match="not empty"):
        generate(engine, units=10, assignments=20, today=TODAY)


def test_quarters_ending_counts_back_across_years() -> None:
    assert [period for _, _, period in quarters_ending(date(2026, 2, 1), 3)] == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]
    start, end, _ = quarters_ending(date(2026, 11, 22), 1)[0]
    assert (start, end) == (date(2026, 10, 1), date(2026, 12, 31))


def test_generated_history_ends_in_the_stored_state(engine: Engine, session: Session) -> None:
    from tracker.assignments.asof import State, in_force

    generate(engine, units=40, assignments=500, quarters=4, today=TODAY)
    current = {
        row.assignment_id: (row.status, row.percent, row.due, row.completed_on)
        for row in session.exec(select(State).where(in_force(TODAY))).all()
    }
    stored = {
        a.id: (a.status, a.percent, a.due, a.completed_on)
        for a in session.exec(select(Assignment)).all()
    }
    assert current == stored
    # History to read: more state rows than assignments, ranges that never overlap.
    states = session.exec(select(func.count()).select_from(State)).one()
    assert states > 1.5 * 500
    overlapping = session.exec(
        select(func.count(), func.count(func.distinct(State.assignment_id))).where(
            in_force(date(2026, 8, 1))
        )
    ).one()
    assert overlapping[0] == overlapping[1]
