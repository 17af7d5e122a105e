"""Quarter reviews (kỳ giao ban): frozen figures, comments per unit, explanation requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class Review(SQLModel, table=True):
    """The review of one period; once frozen, its figures come from the snapshot tables only."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint(
            "is_frozen = false OR (frozen_at IS NOT NULL AND frozen_by_id IS NOT NULL "
            "AND meeting_on IS NOT NULL)",
            name="frozen_is_recorded",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=10, unique=True)
    meeting_on: date | None = None
    is_frozen: bool = Field(default=False)
    frozen_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    frozen_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class ReviewItem(SQLModel, table=True):
    """One assignment of a frozen review, as it stood on the meeting date."""

    __tablename__ = "review_item"
    __table_args__ = (
        UniqueConstraint(
            "review_id", "assignment_id", name="uq_review_item_review_id_assignment_id"
        ),
        Index("ix_review_item_review_id_unit_id", "review_id", "unit_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    category: str = Field(max_length=16)
    status: str = Field(max_length=16)
    percent: int
    due: date | None = None
    completed_on: date | None = None
    # Due before the period and still open when it began.
    is_carried_over: bool = Field(default=False)
    latest_report: str | None = Field(default=None, sa_type=Text)


class ReviewFigure(SQLModel, table=True):
    """A unit's frozen counts, its subtree included: one column per reporting category."""

    __tablename__ = "review_figure"

    review_id: int = Field(foreign_key="review.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    done_on_time: int
    done_late: int
    in_progress: int
    not_started: int
    overdue: int
    cancelled: int


class ReviewComment(SQLModel, table=True):
    """The head's remarks on one unit in one review."""

    __tablename__ = "review_comment"
    __table_args__ = (
        UniqueConstraint("review_id", "unit_id", name="uq_review_comment_review_id_unit_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    unit_id: int = Field(foreign_key="unit.id")
    body: str = Field(sa_type=Text)
    author_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class ExplanationRequest(SQLModel, table=True):
    """A request (yêu cầu giải trình) on an overdue assignment, and the unit's answer."""

    __tablename__ = "explanation_request"
    __table_args__ = (
        CheckConstraint(
            "(answer IS NULL AND answered_at IS NULL AND answered_by_id IS NULL) OR "
            "(answer IS NOT NULL AND answered_at IS NOT NULL AND answered_by_id IS NOT NULL)",
            name="answer_is_complete",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    review_id: int | None = Field(default=None, foreign_key="review.id", index=True)
    # The requests made together (one head, one message, one unit's overdue work) share the
    # id of the first: the unit sees them as one request and answers them on one page.
    batch_id: int | None = Field(default=None, index=True)
    message: str = Field(sa_type=Text)
    requested_by_id: int = Field(foreign_key="user_account.id")
    requested_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    answer: str | None = Field(default=None, sa_type=Text)
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
