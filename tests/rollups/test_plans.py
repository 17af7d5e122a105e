"""The rollups at a date read the state rows from ix_assignment_state_in_force alone.

Over a million assignments this is what keeps a province's rollup at a past date under half a
second on PostgreSQL (bench/rollup.py): the rows closed before the date are skipped and the
table itself is never read. The plans are checked rather than timed: a change of the query
that no longer fits the index (a condition the partial index does not cover, a column it does
not hold) shows here, on both databases.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from tests.rollups.conftest import JUNE_30, World
from tracker.assignments.status import Category
from tracker.rollups import queries
from tracker.rollups.periods import Period

INDEX = "ix_assignment_state_in_force"


def _plan(session: Session, statement: object) -> str:
    """The plan of `statement` as the database would run it on a province-sized table."""
    bind = session.get_bind()
    sql = str(statement.compile(bind, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]
    if bind.dialect.name == "postgresql":
        # A handful of test rows fit in one page, which PostgreSQL reads through whatever the
        # indexes: leave it only the index, as a million rows would.
        session.exec(text("SET LOCAL enable_seqscan = off"))  # type: ignore[call-overload]
        rows = session.exec(text(f"EXPLAIN {sql}")).all()  # type: ignore[call-overload]
        return "\n".join(row[0] for row in rows)
    rows = session.exec(text(f"EXPLAIN QUERY PLAN {sql}")).all()  # type: ignore[call-overload]
    return "\n".join(row[3] for row in rows)


def _reads_only_the_index(plan: str) -> bool:
    if f"Index Only Scan using {INDEX}" in plan:  # PostgreSQL
        return "Seq Scan on assignment_state" not in plan
    return f"assignment_state USING COVERING INDEX {INDEX}" in plan  # SQLite


def test_the_rollups_at_a_date_read_the_index_alone(session: Session, world: World) -> None:
    scope = queries.Scope(reference=JUNE_30)
    review = queries.Scope(reference=JUNE_30, period=Period.parse("2021-Q2"), carry_over=True)
    for statement in (
        queries.unit_rollup(scope),
        queries.unit_rollup(review),
        queries.counted(scope),
        queries.notice_rollup(scope, session.get_bind().dialect.name),
    ):
        plan = _plan(session, statement)
        assert _reads_only_the_index(plan), plan
    session.rollback()


def test_the_index_serves_today_as_well_as_a_past_date(session: Session, world: World) -> None:
    """Today's rollup reads the current rows (valid until 9999-12-31) from the same index, and
    counts what the assignments hold now."""
    today = date(2030, 1, 1)
    plan = _plan(session, queries.unit_rollup(queries.Scope(reference=today)))
    assert _reads_only_the_index(plan), plan
    session.rollback()
    figures = queries.totals(session, actor=world.head, scope=queries.Scope(reference=today))
    assert figures.total == 11 and figures.counts[Category.OVERDUE] > 0
