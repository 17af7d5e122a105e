"""Quarter reviews: carried-over work, comments, a frozen snapshot that later reports leave alone,
the previous period side by side, and explanation requests with their answers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from tests.helpers import at_once, make_assignment
from tests.rollups.conftest import JULY_1, World
from tests.rollups.test_queries import counts
from tracker.assignments.models import ProgressReport
from tracker.errors import InvalidInput, PermissionDenied
from tracker.rollups import explanations, report, reviews
from tracker.rollups.models import ReviewItem
from tracker.rollups.periods import Period

Q2 = Period.parse("2021-Q2")


def test_a_frozen_review_keeps_its_figures(session: Session, world: World) -> None:
    review = reviews.open_review(session, actor=world.secretary, period=Q2)
    assert reviews.open_review(session, actor=world.head, period=Q2).id == review.id
    live = reviews.totals(session, actor=world.head, review=review, today=JULY_1)
    # b4, completed on 05/07, is overdue on 01/07.
    assert counts(live) == {"done_on_time": 1, "done_late": 1, "overdue": 5}

    reviews.freeze(session, actor=world.head, review_id=review.id, meeting_on=JULY_1, today=JULY_1)
    session.commit()
    tinh, huyen_a = world.units["TINH"].id, world.units["HUYEN_A"].id
    before_units = reviews.by_unit(
        session, actor=world.head, review=review, unit_ids=[tinh, huyen_a], today=JULY_1
    )
    before_items = report.review_items(session, actor=world.head, review=review, today=JULY_1)

    # After the meeting: b2 is reported done, a3 too, and a new Q2 task appears.
    b2, a3 = world.assignments["b2"], world.assignments["a3"]
    for assignment in (b2, a3):
        assignment.status, assignment.completed_on, assignment.percent = (
            "done",
            date(2021, 7, 2),
            100,
        )
        session.add(assignment)
    session.add(
        ProgressReport(
            assignment_id=b2.id,
            author_id=world.users["huyen_a"].id,
            status_before="in_progress",
            status_after="done",
            percent_before=50,
            percent_after=100,
            note="Đã hoàn thành sau kỳ họp.",
        )
    )
    make_assignment(session, world.notices["n2"], world.units["HOI"], code="9.9", due=Q2.end)
    session.commit()

    later = date(2021, 8, 1)
    frozen = reviews.totals(session, actor=world.head, review=review, today=later)
    assert counts(frozen) == {"done_on_time": 1, "done_late": 1, "overdue": 5}
    assert (
        reviews.by_unit(
            session, actor=world.head, review=review, unit_ids=[tinh, huyen_a], today=later
        )
        == before_units
    )
    assert counts(before_units[tinh]) == {"done_on_time": 1, "done_late": 1, "overdue": 3}
    after_items = report.review_items(session, actor=world.head, review=review, today=later)
    assert [(i.assignment_id, i.category, i.latest_report) for i in after_items] == [
        (i.assignment_id, i.category, i.latest_report) for i in before_items
    ]
    b2_line = next(i for i in after_items if i.assignment_id == b2.id)
    assert (
        b2_line.latest_report == "Đã họp triển khai tới các xã." and b2_line.status == "in_progress"
    )
    carried = {i.assignment_id for i in after_items if i.is_carried_over}
    assert carried == {world.assignments["a2"].id, world.assignments["a3"].id}

    with pytest.raises(InvalidInput):
        reviews.freeze(
            session, actor=world.head, review_id=review.id, meeting_on=later, today=later
        )
    with pytest.raises(InvalidInput):
        reviews.save_comment(
            session, actor=world.head, review_id=review.id, unit_id=tinh, body="Muộn"
        )


def test_the_previous_period_side_by_side(session: Session, world: World) -> None:
    review = reviews.open_review(session, actor=world.head, period=Q2)
    comparison = reviews.compare(session, actor=world.head, review=review, today=JULY_1)
    assert comparison.previous_period.code == "2021-Q1" and not comparison.previous_is_frozen
    # Q1 as it stood on 31/03: a2 and a3 were still in time then (a2 is done on 10/04).
    assert counts(comparison.previous) == {
        "done_on_time": 1,
        "in_progress": 2,
        "cancelled": 1,
    }
    q1 = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q1"))
    meeting = date(2021, 4, 5)
    reviews.freeze(session, actor=world.head, review_id=q1.id, meeting_on=meeting, today=meeting)
    comparison = reviews.compare(session, actor=world.head, review=review, today=JULY_1)
    assert comparison.previous_is_frozen
    assert counts(comparison.previous) == {
        "done_on_time": 1,
        "overdue": 2,
        "cancelled": 1,
    }


def test_comments_and_who_may_do_what(session: Session, world: World) -> None:
    review = reviews.open_review(session, actor=world.head, period=Q2)
    hoi = world.units["HOI"].id
    reviews.save_comment(
        session, actor=world.head, review_id=review.id, unit_id=hoi, body="Cần khẩn trương."
    )
    reviews.save_comment(
        session, actor=world.secretary, review_id=review.id, unit_id=hoi, body=" Đã nhắc. "
    )
    assert reviews.comments(session, review.id)[hoi].body == "Đã nhắc."
    with pytest.raises(PermissionDenied):
        reviews.freeze(
            session, actor=world.secretary, review_id=review.id, meeting_on=JULY_1, today=JULY_1
        )
    with pytest.raises(PermissionDenied):
        reviews.open_review(session, actor=world.users["hoi"], period=Q2)
    with pytest.raises(InvalidInput):
        reviews.freeze(
            session,
            actor=world.head,
            review_id=review.id,
            meeting_on=date(2021, 3, 1),
            today=JULY_1,
        )


def test_explanations_are_asked_and_answered(session: Session, world: World) -> None:
    review = reviews.open_review(session, actor=world.head, period=Q2)
    huyen_a = world.units["HUYEN_A"].id
    b2, b3 = world.assignments["b2"].id, world.assignments["b3"].id
    with pytest.raises(PermissionDenied):
        explanations.request_for_unit(
            session,
            actor=world.secretary,
            review_id=review.id,
            unit_id=huyen_a,
            message="?",
            today=JULY_1,
        )
    asked = explanations.request_for_unit(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=huyen_a,
        message="Đề nghị giải trình lý do chậm.",
        today=JULY_1,
    )
    assert sorted(r.assignment_id for r in asked) == sorted([b2, b3])
    again = explanations.request_for_unit(
        session, actor=world.head, review_id=review.id, unit_id=huyen_a, message="!", today=JULY_1
    )
    assert again == []
    session.commit()

    by_assignment = {r.assignment_id: r for r in asked}
    xa = world.users["xa_a1"]
    with pytest.raises(PermissionDenied):  # the commune cannot answer for its district
        explanations.answer(session, actor=xa, request_id=by_assignment[b2].id, text="…")
    with pytest.raises(PermissionDenied):
        explanations.answer(
            session, actor=world.users["hoi"], request_id=by_assignment[b3].id, text="…"
        )
    views = explanations.for_assignment(session, actor=xa, assignment_id=b3)
    assert [(v.request.message, v.can_answer) for v in views] == [
        ("Đề nghị giải trình lý do chậm.", True)
    ]
    explanations.answer(
        session, actor=xa, request_id=by_assignment[b3].id, text=" Thiếu kinh phí. "
    )
    # The district above answers for its own task.
    explanations.answer(
        session, actor=world.users["huyen_a"], request_id=by_assignment[b2].id, text="Đang làm."
    )
    with pytest.raises(InvalidInput):
        explanations.answer(session, actor=xa, request_id=by_assignment[b3].id, text="Lần hai")
    session.commit()

    head_view = explanations.for_assignment(session, actor=world.head, assignment_id=b3)
    assert head_view[0].request.answer == "Thiếu kinh phí."
    assert head_view[0].answered_by is not None and head_view[0].answered_by.username == "xa_a1"
    assert head_view[0].can_answer is False and head_view[0].request.answered_at is not None
    with pytest.raises(PermissionDenied):
        explanations.for_assignment(session, actor=world.users["hoi"], assignment_id=b3)
    assert explanations.open_for_unit(session, actor=world.users["huyen_a"], unit_id=huyen_a) == []
    lines = report.review_items(
        session, actor=world.head, review=review, today=JULY_1, asked_only=True
    )
    assert {line.assignment_id: line.explanations[0].answer for line in lines} == {
        b2: "Đang làm.",
        b3: "Thiếu kinh phí.",
    }


def test_open_requests_of_a_unit(session: Session, world: World) -> None:
    review = reviews.open_review(session, actor=world.head, period=Q2)
    explanations.request_for_unit(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=world.units["HOI"].id,
        message="Giải trình",
        today=JULY_1,
    )
    rows = explanations.open_for_unit(
        session, actor=world.users["hoi"], unit_id=world.units["HOI"].id
    )
    # b4 is overdue on 01/07 too: its completion (05/07) came later.
    assert {assignment.id for _, assignment, _ in rows} == {
        world.assignments["a3"].id,
        world.assignments["b4"].id,
    }
    with pytest.raises(PermissionDenied):
        explanations.open_for_unit(
            session, actor=world.users["xa_a1"], unit_id=world.units["HOI"].id
        )


def test_a_meeting_date_still_to_come_cannot_be_frozen(session: Session, world: World) -> None:
    review = reviews.open_review(session, actor=world.head, period=Q2)
    with pytest.raises(InvalidInput) as refused:
        reviews.freeze(
            session,
            actor=world.head,
            review_id=review.id,
            meeting_on=date(2021, 7, 2),
            today=JULY_1,
        )
    assert "chưa đến" in str(refused.value)
    assert not review.is_frozen and review.meeting_on is None
    reviews.freeze(session, actor=world.head, review_id=review.id, meeting_on=JULY_1, today=JULY_1)
    assert review.is_frozen and review.frozen_by_id == world.head.id


def test_two_freezes_at_once_freeze_once_and_tell_the_other(
    engine: Engine, session: Session, world: World
) -> None:
    review = reviews.open_review(session, actor=world.secretary, period=Q2)
    session.commit()
    outcomes = at_once(
        engine,
        [world.head.id, world.head.id],
        lambda s, actor, _index: reviews.freeze(
            s, actor=actor, review_id=review.id, meeting_on=JULY_1, today=JULY_1
        ),
    )
    assert sorted(outcomes) in (["StaleUpdate", "ok"], ["InvalidInput", "ok"])
    items = session.exec(select(func.count()).select_from(ReviewItem)).one()
    frozen_live = reviews.totals(session, actor=world.head, review=review, today=JULY_1)
    assert items == sum(counts(frozen_live).values())
