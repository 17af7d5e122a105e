"""Quarter reviews: open one for a period, comment per unit, freeze its figures at the meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ScalarSelect, func, insert, literal, update
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.asof import State, category_at
from tracker.assignments.history import end_of
from tracker.assignments.models import ProgressReport
from tracker.assignments.status import Category
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.permissions import can_freeze_reviews, can_manage_reviews
from tracker.plain_text import strip_control
from tracker.rollups import queries
from tracker.rollups.models import Review, ReviewComment, ReviewFigure, ReviewItem
from tracker.rollups.periods import Period
from tracker.tables import saved_id, select_many
from tracker.units.models import Unit


@dataclass(frozen=True)
class Comparison:
    """A review's figures beside those of the period before it."""

    current: queries.Figures
    previous: queries.Figures
    previous_period: Period
    previous_is_frozen: bool


def _check_manage(actor: User) -> None:
    if not can_manage_reviews(actor):
        raise PermissionDenied(
            N_("Chỉ lãnh đạo ban và chuyên viên theo dõi mới mở được kỳ giao ban.")
        )


def list_reviews(session: Session, *, actor: User) -> list[Review]:
    """Every review, the latest period first."""
    _check_manage(actor)
    return sorted(
        session.exec(select(Review)).all(), key=lambda r: Period.parse(r.period), reverse=True
    )


def open_review(session: Session, *, actor: User, period: Period) -> Review:
    """The review of `period`, created on first use."""
    _check_manage(actor)
    review = session.exec(select(Review).where(Review.period == period.code)).first()
    if review is not None:
        return review
    review = Review(period=period.code, created_by_id=saved_id(actor))
    session.add(review)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="review.opened",
        entity_type="review",
        entity_id=review.id,
        changes={"period": [None, period.code]},
    )
    return review


def get_review(session: Session, *, actor: User, review_id: int) -> Review:
    """One review, for those who manage reviews."""
    _check_manage(actor)
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(N_("Không tìm thấy kỳ giao ban này."))
    return review


def reference_of(review: Review, today: date) -> date:
    """The date a review's figures are judged on: the meeting date once set, else today."""
    return review.meeting_on or today


def scope_of(review: Review, reference: date) -> queries.Scope:
    """Due in the period, plus earlier work still unfinished when the period began."""
    return queries.Scope(reference=reference, period=Period.parse(review.period), carry_over=True)


def save_comment(
    session: Session, *, actor: User, review_id: int, unit_id: int, body: str
) -> ReviewComment:
    """Write (or rewrite) the remarks on one unit; refused once the review is frozen."""
    review = get_review(session, actor=actor, review_id=review_id)
    if review.is_frozen:
        raise InvalidInput(N_("Kỳ giao ban đã chốt số liệu nên không sửa nhận xét được nữa."))
    if session.get(Unit, unit_id) is None:
        raise NotFound(N_("Không tìm thấy đơn vị này."))
    body = strip_control(body).strip()
    comment = session.exec(
        select(ReviewComment).where(
            ReviewComment.review_id == review_id, ReviewComment.unit_id == unit_id
        )
    ).first()
    before = comment.body if comment else None
    if comment is None:
        comment = ReviewComment(
            review_id=review_id, unit_id=unit_id, body=body, author_id=saved_id(actor)
        )
    comment.body, comment.author_id, comment.updated_at = body, saved_id(actor), utcnow()
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="review.commented",
        entity_type="review",
        entity_id=review_id,
        changes={"unit_id": [None, unit_id], "body": [before, body]},
    )
    return comment


def comments(session: Session, review_id: int) -> dict[int, ReviewComment]:
    """The review's comments by unit."""
    rows = session.exec(select(ReviewComment).where(ReviewComment.review_id == review_id)).all()
    return {comment.unit_id: comment for comment in rows}


def freeze(
    session: Session, *, actor: User, review_id: int, meeting_on: date, today: date
) -> Review:
    """Record every assignment's state and every unit's figures on the meeting date, for good.

    The meeting date must be today or earlier: the figures of a later day are not known yet,
    and a review frozen on them would count as overdue work that is not due, for ever.
    """
    if not can_freeze_reviews(actor):
        raise PermissionDenied(N_("Chỉ lãnh đạo ban mới chốt được số liệu kỳ giao ban."))
    review = get_review(session, actor=actor, review_id=review_id)
    if review.is_frozen:
        raise InvalidInput(N_("Kỳ giao ban này đã chốt số liệu rồi."))
    _check_meeting_date(review, meeting_on=meeting_on, today=today)
    _claim_for_freezing(session, review, actor=actor, meeting_on=meeting_on)
    scope = scope_of(review, meeting_on)
    _copy_items(session, review, scope=scope, meeting_on=meeting_on)
    rollup = queries.unit_rollup(scope).subquery()
    session.exec(
        insert(ReviewFigure).from_select(
            ["review_id", "unit_id", *[category.value for category in Category]],
            select(literal(review.id), *rollup.c),
        )
    )
    audit.record(
        session,
        actor=actor,
        action="review.frozen",
        entity_type="review",
        entity_id=review.id,
        changes={"is_frozen": [False, True], "meeting_on": [None, meeting_on]},
    )
    return review


def _check_meeting_date(review: Review, *, meeting_on: date, today: date) -> None:
    """Refuse a meeting date before the period starts or after today."""
    if meeting_on < Period.parse(review.period).start:
        raise InvalidInput(N_("Ngày họp không thể trước ngày đầu của kỳ."))
    if meeting_on > today:
        raise InvalidInput(
            N_(
                "Chưa chốt được số liệu ở ngày họp {meeting} vì ngày đó chưa đến: số liệu chỉ "
                "chốt được khi đã có đủ, tức là vào ngày họp hoặc sau đó. Hãy chốt vào ngày "
                "{meeting} hoặc chọn ngày họp không muộn hơn hôm nay ({today})."
            ),
            meeting=meeting_on.strftime("%d/%m/%Y"),
            today=today.strftime("%d/%m/%Y"),
        )


def _copy_items(
    session: Session, review: Review, *, scope: queries.Scope, meeting_on: date
) -> None:
    """Snapshot every assignment's state on the meeting date into the review's items."""
    start = Period.parse(review.period).start
    # Copied in the database (INSERT ... SELECT): a province's review never passes through Python.
    session.exec(
        insert(ReviewItem).from_select(
            [
                "review_id",
                "assignment_id",
                "unit_id",
                "category",
                "status",
                "percent",
                "due",
                "completed_on",
                "is_carried_over",
                "latest_report",
            ],
            queries.scoped(
                select_many(
                    literal(review.id),
                    State.assignment_id,
                    State.unit_id,
                    category_at(meeting_on),
                    State.status,
                    State.percent,
                    State.due,
                    State.completed_on,
                    col(State.due) < start,
                    latest_report(meeting_on),
                ),
                scope,
            ),
        )
    )


def _claim_for_freezing(session: Session, review: Review, *, actor: User, meeting_on: date) -> None:
    """Mark the review frozen in one conditional UPDATE before copying anything: of two
    freezes at once (a double-click, two tabs) one copies the figures, the other is told."""
    now = utcnow()
    claimed = session.exec(
        update(Review)
        .where(col(Review.id) == review.id, col(Review.is_frozen).is_(False))
        .values(
            is_frozen=True,
            meeting_on=meeting_on,
            frozen_at=now,
            frozen_by_id=actor.id,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise StaleUpdate(
            N_("Kỳ giao ban này vừa được chốt số liệu ở nơi khác. Tải lại trang để xem.")
        )
    session.refresh(review)


def latest_report(reference: date) -> ScalarSelect[str]:
    """The note of the latest progress report with one made by the end of `reference`, for the
    state rows of a scoped query (a scalar subquery)."""
    return (
        select(ProgressReport.note)
        .where(
            ProgressReport.assignment_id == State.assignment_id,
            ProgressReport.note != "",
            ProgressReport.created_at < end_of(reference),
        )
        .order_by(col(ProgressReport.created_at).desc(), col(ProgressReport.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def totals(session: Session, *, actor: User, review: Review, today: date) -> queries.Figures:
    """The review's headline figures: frozen ones if frozen, else live."""
    if review.is_frozen:
        _check_manage(actor)
        return queries.Figures.of(
            session.exec(
                select(ReviewItem.category, func.count())
                .where(ReviewItem.review_id == review.id)
                .group_by(ReviewItem.category)
            ).all()
        )
    return queries.totals(session, actor=actor, scope=scope_of(review, reference_of(review, today)))


def by_unit(
    session: Session, *, actor: User, review: Review, unit_ids: list[int], today: date
) -> dict[int, queries.Figures]:
    """The figures of these units, each with its subtree."""
    if not review.is_frozen:
        scope = scope_of(review, reference_of(review, today))
        return queries.by_unit(session, actor=actor, scope=scope, unit_ids=unit_ids)
    _check_manage(actor)
    columns = [getattr(ReviewFigure, category.value) for category in Category]
    rows = session.exec(
        select(ReviewFigure.unit_id, *columns).where(
            ReviewFigure.review_id == review.id, col(ReviewFigure.unit_id).in_(unit_ids)
        )
    ).all()
    return queries.keyed(rows)


def own(
    session: Session, *, actor: User, review: Review, unit_id: int, today: date
) -> queries.Figures:
    """The figures of one unit's own assignments, its child units left out."""
    if not review.is_frozen:
        scope = scope_of(review, reference_of(review, today))
        return queries.totals(session, actor=actor, scope=scope, only_unit_id=unit_id)
    _check_manage(actor)
    return queries.Figures.of(
        session.exec(
            select(ReviewItem.category, func.count())
            .where(ReviewItem.review_id == review.id, ReviewItem.unit_id == unit_id)
            .group_by(ReviewItem.category)
        ).all()
    )


def compare(session: Session, *, actor: User, review: Review, today: date) -> Comparison:
    """The review's figures beside the previous period's (frozen if it was, else at its end)."""
    previous_period = Period.parse(review.period).previous()
    previous = session.exec(select(Review).where(Review.period == previous_period.code)).first()
    if previous is None or not previous.is_frozen:
        reference = min(reference_of(review, today), previous_period.end)
        previous = Review(period=previous_period.code, meeting_on=reference, created_by_id=0)
    return Comparison(
        current=totals(session, actor=actor, review=review, today=today),
        previous=totals(session, actor=actor, review=previous, today=today),
        previous_period=previous_period,
        previous_is_frozen=previous.is_frozen,
    )
