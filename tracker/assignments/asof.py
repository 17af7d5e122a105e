"""The state of an assignment at a date D: what had been recorded by the end of D.

This is the one definition every figure uses (../shared/docs/design.md, "Figures at date D"),
D being a local day (Asia/Ho_Chi_Minh):

- an assignment exists at D only if it had been created by the end of D. Assignments are created
  when their notice is published, or later by a correction or a delegation, so one added by a
  correction on day 20 does not exist on day 19, and none exists before its notice's publication;
- its status, percent and completion are those recorded by its last change made by the end of D
  (a report from the web or the chat, a roll-up from delegated parts, a cancellation): a
  cancellation counts from the day it was made;
- its due date is the one in force at D: an extension approved after D does not apply yet;
- its category at D follows: cancelled; done on time or late (completed_on against the due date
  in force); else overdue when D is past that due date; else in progress (or not started).

How it is kept: every change of an assignment's state writes `AssignmentState` (see `history.py`),
one row per local day on which it changed, valid from that day until the next change. The state at
D is the one row with `valid_from <= D < valid_until`, so a rollup of a whole province at any date
is one range-filtered scan, with no "latest row per assignment" subquery: of the index
ix_assignment_state_in_force alone (ordered by valid_until, holding every column a rollup counts
with), which skips the rows closed before D (at today, all but the current ones) and never reads
the table. Why a table of its own rather than the report and extension rows: those do not hold
every change (roll-ups from delegated parts, cancellations and due dates changed by a correction
are only in the audit log, as JSON), and reading them would need a latest-per-group query for each
kind of change. The table is written by the same code path as the change itself, in the same
transaction, so it cannot disagree with the assignment.

`category_at` is the rule in SQL; `category_on` is its Python twin for a single assignment (the
assignment page, the bot); tests/assignments/test_asof.py pins one to the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from tracker.assignments.models import AssignmentState, AssignmentStatus
from tracker.assignments.status import Category

State = AssignmentState


def in_force(reference: date) -> ColumnElement[bool]:
    """The condition that picks each assignment's state row at `reference` (one at most)."""
    return and_(col(State.valid_from) <= reference, col(State.valid_until) > reference)


def category_at(reference: date) -> ColumnElement[str]:
    """A SQL expression giving the category at `reference` of the state rows in force then."""
    done = and_(
        col(State.status) == AssignmentStatus.DONE,
        col(State.completed_on).is_not(None),
        col(State.completed_on) <= reference,
    )
    return case(
        (col(State.status) == AssignmentStatus.CANCELLED, Category.CANCELLED.value),
        (
            and_(done, or_(col(State.due).is_(None), col(State.completed_on) <= State.due)),
            Category.DONE_ON_TIME.value,
        ),
        (done, Category.DONE_LATE.value),
        (and_(col(State.due).is_not(None), col(State.due) < reference), Category.OVERDUE.value),
        (
            col(State.status).in_([AssignmentStatus.IN_PROGRESS, AssignmentStatus.DONE]),
            Category.IN_PROGRESS.value,
        ),
        else_=Category.NOT_STARTED.value,
    )


def category_on(
    status: str, due: date | None, completed_on: date | None, reference: date
) -> Category:
    """The Python twin of `category_at`, for one assignment's state in force at `reference`.

    A completion dated after `reference` (only in states carried over from before the history
    was kept) does not count yet: the work is then judged as in progress.
    """
    if status == AssignmentStatus.CANCELLED:
        return Category.CANCELLED
    if status == AssignmentStatus.DONE and completed_on is not None and completed_on <= reference:
        on_time = due is None or completed_on <= due
        return Category.DONE_ON_TIME if on_time else Category.DONE_LATE
    if due is not None and reference > due:
        return Category.OVERDUE
    if status in (AssignmentStatus.IN_PROGRESS, AssignmentStatus.DONE):
        return Category.IN_PROGRESS
    return Category.NOT_STARTED


@dataclass(frozen=True)
class StateAt:
    """One assignment at a date, as the figures of that date count it."""

    status: str
    percent: int
    due: date | None
    completed_on: date | None
    category: Category


def state_on(session: Session, assignment_id: int, reference: date) -> StateAt | None:
    """The assignment at `reference`; None when it did not exist yet."""
    row = session.exec(
        select(State).where(State.assignment_id == assignment_id, in_force(reference))
    ).first()
    if row is None:
        return None
    return StateAt(
        status=row.status,
        percent=row.percent,
        due=row.due,
        completed_on=row.completed_on,
        category=category_on(row.status, row.due, row.completed_on, reference),
    )
