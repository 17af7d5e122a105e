"""Every figure of the known province, on 30/6 and on 1/7 2021, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.rollups.conftest import JULY_1, JUNE_30, World
from tracker.assignments.status import Category
from tracker.errors import PermissionDenied
from tracker.rollups import queries
from tracker.rollups.periods import Period, quarters_up_to
from tracker.rollups.queries import Scope

C = Category


def counts(figures: queries.Figures) -> dict[str, int]:
    """Only the non-zero categories, to keep the expectations readable."""
    return {category.value: n for category, n in figures.counts.items() if n}


def test_totals_change_between_june_30_and_july_1(session: Session, world: World) -> None:
    on_june_30 = queries.totals(session, actor=world.head, scope=Scope(reference=JUNE_30))
    # b4's completion on 05/07 is not known on 30/06: it is still in progress then.
    assert counts(on_june_30) == {
        "done_on_time": 2,
        "done_late": 1,
        "in_progress": 3,
        "not_started": 2,
        "overdue": 2,
        "cancelled": 1,
    }
    assert on_june_30.total == 11 and on_june_30.counted == 10 and on_june_30.done == 3
    assert on_june_30.completion_rate == pytest.approx(0.3)
    assert on_june_30.on_time_rate == pytest.approx(2 / 3)

    on_july_1 = queries.totals(session, actor=world.head, scope=Scope(reference=JULY_1))
    # ... and on 01/07 it is overdue, until its completion on 05/07.
    assert counts(on_july_1) == {
        "done_on_time": 2,
        "done_late": 1,
        "in_progress": 1,
        "not_started": 1,
        "overdue": 5,
        "cancelled": 1,
    }


def test_a_period_counts_what_is_due_in_it(session: Session, world: World) -> None:
    q2 = Period.parse("2021-Q2")
    june = queries.totals(session, actor=world.head, scope=Scope(reference=JUNE_30, period=q2))
    assert counts(june) == {
        "done_on_time": 1,
        "in_progress": 2,
        "not_started": 1,
        "overdue": 1,
    }
    july = queries.totals(session, actor=world.head, scope=Scope(reference=JULY_1, period=q2))
    assert counts(july) == {"done_on_time": 1, "overdue": 4}
    # A review also carries over what was still open when the quarter began: a2 and a3.
    review = Scope(reference=JULY_1, period=q2, carry_over=True)
    assert counts(queries.totals(session, actor=world.head, scope=review)) == {
        "done_on_time": 1,
        "done_late": 1,
        "overdue": 5,
    }
    half = Scope(reference=JULY_1, period=Period.parse("2021-H1"))
    assert queries.totals(session, actor=world.head, scope=half).total == 9
    year = Scope(reference=JULY_1, period=Period.parse("2021"))
    assert queries.totals(session, actor=world.head, scope=year).total == 11


def test_units_roll_up_their_subtree(session: Session, world: World) -> None:
    u = {code: unit.id for code, unit in world.units.items()}
    figures = queries.by_unit(session, actor=world.head, scope=Scope(reference=JULY_1))
    assert counts(figures[u["TINH"]]) == {
        "done_on_time": 2,
        "done_late": 1,
        "overdue": 3,
        "not_started": 1,
        "cancelled": 1,
    }
    assert counts(figures[u["HUYEN_A"]]) == {"done_on_time": 1, "done_late": 1, "overdue": 2}
    assert counts(figures[u["XA_A1"]]) == {"done_late": 1, "overdue": 1}
    assert counts(figures[u["HUYEN_B"]]) == {"cancelled": 1, "overdue": 1, "not_started": 1}
    assert counts(figures[u["HOI"]]) == {"overdue": 2, "in_progress": 1}
    assert figures[u["TINH"]].completion_rate == pytest.approx(3 / 7)
    assert figures[u["HUYEN_A"]].on_time_rate == pytest.approx(0.5)
    on_june_30 = queries.by_unit(
        session, actor=world.head, scope=Scope(reference=JUNE_30), unit_ids=[u["HUYEN_A"]]
    )
    assert list(on_june_30) == [u["HUYEN_A"]]
    assert counts(on_june_30[u["HUYEN_A"]]) == {
        "done_on_time": 1,
        "done_late": 1,
        "in_progress": 1,
        "not_started": 1,
    }
    own = queries.totals(
        session, actor=world.head, scope=Scope(reference=JULY_1), only_unit_id=u["TINH"]
    )
    assert counts(own) == {"done_on_time": 1}


def test_by_notice_group_and_period(session: Session, world: World) -> None:
    scope = Scope(reference=JULY_1)
    notices = queries.by_notice(session, actor=world.head, scope=scope)
    assert [(n.number, counts(f)) for n, f in notices] == [
        ("02-TB/BDVTU", {"done_on_time": 1, "overdue": 4}),
        ("01-TB/BDVTU", {"done_on_time": 1, "done_late": 1, "overdue": 1, "cancelled": 1}),
        ("03-TB/BDVTU", {"not_started": 1, "in_progress": 1}),
    ]
    n2 = Scope(reference=JULY_1, notice_id=world.notices["n2"].id)
    groups = queries.by_group(session, actor=world.head, scope=n2)
    assert [(number, title, counts(f)) for number, title, f in groups] == [
        ("1", "Công tác tham mưu", {"done_on_time": 1, "overdue": 2}),
        ("2", "Công tác vận động quần chúng", {"overdue": 2}),
    ]
    trend = queries.by_period(
        session, actor=world.head, scope=scope, periods=quarters_up_to(Period.parse("2021-Q4"), 4)
    )
    assert [(p.code, counts(f)) for p, f in trend] == [
        ("2021-Q1", {"done_on_time": 1, "done_late": 1, "overdue": 1, "cancelled": 1}),
        ("2021-Q2", {"done_on_time": 1, "overdue": 4}),
        ("2021-Q3", {"not_started": 1, "in_progress": 1}),
        ("2021-Q4", {}),
    ]


def test_drill_down_lists_what_a_figure_counts(session: Session, world: World) -> None:
    scope = Scope(reference=JULY_1)
    lines, total = queries.list_assignments(
        session,
        actor=world.head,
        scope=scope,
        unit_id=world.units["HUYEN_A"].id,
        category=C.OVERDUE,
    )
    assert total == 2
    assert [line.task.text for line in lines] == [
        "Nhiệm vụ 1.2 của HUYEN_A",
        "Nhiệm vụ 1.3 của XA_A1",
    ]
    page_two, total = queries.list_assignments(
        session, actor=world.head, scope=scope, page=2, per_page=5
    )
    assert total == 11 and len(page_two) == 5


def test_units_are_ranked(session: Session, world: World) -> None:
    figures = queries.by_unit(session, actor=world.head, scope=Scope(reference=JULY_1))
    ranked = sorted(figures, key=lambda unit_id: figures[unit_id].rank_key())
    codes = {unit.id: code for code, unit in world.units.items()}
    # XA_A1 and HUYEN_A both 1/2 done, but XA_A1's one is late; TINH 3/7; HUYEN_B and HOI
    # none done on 01/07 (b4 is done on 05/07), HOI with more overdue.
    assert [codes[unit_id] for unit_id in ranked] == ["HUYEN_A", "XA_A1", "TINH", "HUYEN_B", "HOI"]


def test_units_cannot_read_rollups(session: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        queries.totals(session, actor=world.users["hoi"], scope=Scope(reference=JULY_1))


@pytest.mark.parametrize(
    ("code", "start", "end", "previous"),
    [
        ("2021-Q1", "2021-01-01", "2021-03-31", "2020-Q4"),
        ("2021-Q2", "2021-04-01", "2021-06-30", "2021-Q1"),
        ("2021-H1", "2021-01-01", "2021-06-30", "2020-H2"),
        ("2021-H2", "2021-07-01", "2021-12-31", "2021-H1"),
        ("2021", "2021-01-01", "2021-12-31", "2020"),
    ],
)
def test_periods(code: str, start: str, end: str, previous: str) -> None:
    period = Period.parse(code)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    assert period.previous().code == previous and period.code == code
