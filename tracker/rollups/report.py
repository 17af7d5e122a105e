"""What the dashboard, the review page and the exports show: unit tables and task lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import SQLColumnExpression
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from tracker.accounts.models import User
from tracker.assignments.asof import State, category_at
from tracker.assignments.models import Assignment
from tracker.assignments.status import Category
from tracker.errors import N_, NotFound
from tracker.notices.models import Conclusion, Task
from tracker.rollups import explanations, queries, reviews
from tracker.rollups.models import ExplanationRequest, Review, ReviewItem
from tracker.rollups.periods import Period
from tracker.tables import saved_id, select_many
from tracker.units.models import Unit
from tracker.units.queries import unit_scope


@dataclass(frozen=True)
class UnitLine:
    """One row of a unit table: a unit with its subtree, or (is_own) a parent's own work."""

    unit: Unit
    figures: queries.Figures
    has_children: bool
    is_own: bool = False
    rank: int | None = None


@dataclass(frozen=True)
class UnitLevel:
    """The rows under one parent unit (None: the top of the tree)."""

    parent: Unit | None
    lines: list[UnitLine]


@dataclass(frozen=True)
class ItemLine:
    """One assignment of a review, as it stands (or stood, once frozen)."""

    assignment_id: int
    unit: Unit
    conclusion: Conclusion
    task: Task
    category: Category
    status: str
    percent: int
    due: date | None
    completed_on: date | None
    is_carried_over: bool
    latest_report: str | None
    explanations: list[ExplanationRequest]


def unit_or_none(session: Session, unit_id: int | None) -> Unit | None:
    """The unit, None when no id is given; 404 for an unknown id."""
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(N_("Không tìm thấy đơn vị này."))
    return unit


def unit_level(
    session: Session,
    *,
    parent_id: int | None,
    subtree_figures: Callable[[list[int]], dict[int, queries.Figures]],
    own_figures: Callable[[int], queries.Figures],
) -> UnitLevel:
    """The child units of `parent_id` ranked by their figures, then the parent's own work."""
    parent = unit_or_none(session, parent_id)
    units = session.exec(select(Unit).where(Unit.parent_id == parent_id).order_by(Unit.name)).all()
    ids = [unit.id for unit in units if unit.id is not None]
    with_children = set(
        session.exec(select(Unit.parent_id).where(col(Unit.parent_id).in_(ids)).distinct()).all()
    )
    figures = subtree_figures(ids)
    counted = [unit for unit in units if unit.id in figures]
    counted.sort(key=lambda unit: (figures[saved_id(unit)].rank_key(), unit.name))
    lines = [
        UnitLine(unit, figures[saved_id(unit)], saved_id(unit) in with_children, rank=position)
        for position, unit in enumerate(counted, start=1)
    ]
    if parent is not None and parent.id is not None:
        own = own_figures(parent.id)
        if own.total:
            lines.append(UnitLine(parent, own, has_children=False, is_own=True))
    return UnitLevel(parent=parent, lines=lines)


def review_level(
    session: Session, *, actor: User, review: Review, parent_id: int | None, today: date
) -> UnitLevel:
    """A review's unit table under one parent."""
    return unit_level(
        session,
        parent_id=parent_id,
        subtree_figures=lambda ids: reviews.by_unit(
            session, actor=actor, review=review, unit_ids=ids, today=today
        ),
        own_figures=lambda unit_id: reviews.own(
            session, actor=actor, review=review, unit_id=unit_id, today=today
        ),
    )


def review_items(
    session: Session,
    *,
    actor: User,
    review: Review,
    today: date,
    unit_id: int | None = None,
    own_only: bool = False,
    category: Category | None = None,
    asked_only: bool = False,
) -> list[ItemLine]:
    """The review's assignments by unit, notice and task; frozen ones from the snapshot.

    Narrowed to a unit's subtree (or its own work), a category, or those asked to explain.
    """
    review = reviews.get_review(session, actor=actor, review_id=review.id or 0)
    if review.is_frozen:
        statement, unit_column, category_column, id_column = _frozen_lines(review)
    else:
        statement, unit_column, category_column, id_column = _live_lines(review, today)
    if unit_id is not None and own_only:
        statement = statement.where(unit_column == unit_id)
    elif unit_id is not None:
        statement = statement.where(unit_column.in_(unit_scope(session, unit_id)))
    if category is not None:
        statement = statement.where(category_column == category.value)
    asked = explanations.for_review(session, review.id or 0)
    if asked_only:
        statement = statement.where(id_column.in_(list(asked)))
    rows = session.exec(
        statement.order_by(
            col(Unit.name), col(Unit.id), col(Conclusion.id), col(Task.position), col(Task.id)
        )
    ).all()
    return [
        ItemLine(
            assignment_id=row[0],
            unit=row[1],
            conclusion=row[2],
            task=row[3],
            category=Category(row[4]),
            status=row[5],
            percent=row[6],
            due=row[7],
            completed_on=row[8],
            is_carried_over=bool(row[9]),
            latest_report=row[10],
            explanations=asked.get(row[0], []),
        )
        for row in rows
    ]


# A review's lines query, with its unit, category and assignment id columns to narrow it by.
_LinesQuery = tuple[Select[*tuple[Any, ...]], Mapped[int], SQLColumnExpression[str], Mapped[int]]


def _frozen_lines(review: Review) -> _LinesQuery:
    """A frozen review's lines, read from its snapshot rows."""
    statement = (
        select_many(
            ReviewItem.assignment_id,
            Unit,
            Conclusion,
            Task,
            ReviewItem.category,
            ReviewItem.status,
            ReviewItem.percent,
            ReviewItem.due,
            ReviewItem.completed_on,
            ReviewItem.is_carried_over,
            ReviewItem.latest_report,
        )
        .join(Assignment, col(ReviewItem.assignment_id) == Assignment.id)
        .join(Task, col(Assignment.task_id) == Task.id)
        .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
        .join(Unit, col(ReviewItem.unit_id) == Unit.id)
        .where(ReviewItem.review_id == review.id)
    )
    return (
        statement,
        col(ReviewItem.unit_id),
        col(ReviewItem.category),
        col(ReviewItem.assignment_id),
    )


def _live_lines(review: Review, today: date) -> _LinesQuery:
    """An open review's lines, read from the assignments' state at its reference date."""
    scope = reviews.scope_of(review, reviews.reference_of(review, today))
    category_column = category_at(scope.reference)
    statement = queries.scoped(
        select_many(
            State.assignment_id,
            Unit,
            Conclusion,
            Task,
            category_column,
            State.status,
            State.percent,
            State.due,
            State.completed_on,
            col(State.due) < Period.parse(review.period).start,
            reviews.latest_report(scope.reference),
        ),
        scope,
        with_task=True,
    ).join(Unit, col(State.unit_id) == Unit.id)
    return statement, col(State.unit_id), category_column, col(State.assignment_id)
