"""The categories Vietnamese offices report in, computed in SQL at a reference date."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import and_, case, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.errors import N_


class Category(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


CATEGORY_LABELS: dict[Category, str] = {
    Category.DONE_ON_TIME: N_("Hoàn thành đúng hạn"),
    Category.DONE_LATE: N_("Hoàn thành quá hạn"),
    Category.IN_PROGRESS: N_("Đang thực hiện trong hạn"),
    Category.NOT_STARTED: N_("Chưa triển khai"),
    Category.OVERDUE: N_("Quá hạn chưa hoàn thành"),
    Category.CANCELLED: N_("Đã hủy"),
}

STATUS_LABELS: dict[str, str] = {
    AssignmentStatus.NOT_STARTED: N_("Chưa triển khai"),
    AssignmentStatus.IN_PROGRESS: N_("Đang thực hiện"),
    AssignmentStatus.DONE: N_("Hoàn thành"),
    AssignmentStatus.CANCELLED: N_("Đã hủy"),
}


def category_of(reference: date) -> ColumnElement[str]:
    """A SQL expression giving each assignment's category on `reference`."""
    done = col(Assignment.status) == AssignmentStatus.DONE
    late = and_(col(Assignment.due).is_not(None), col(Assignment.due) < reference)
    return case(
        (col(Assignment.status) == AssignmentStatus.CANCELLED, Category.CANCELLED.value),
        (
            and_(
                done,
                or_(col(Assignment.due).is_(None), col(Assignment.completed_on) <= Assignment.due),
            ),
            Category.DONE_ON_TIME.value,
        ),
        (done, Category.DONE_LATE.value),
        (late, Category.OVERDUE.value),
        (col(Assignment.status) == AssignmentStatus.IN_PROGRESS, Category.IN_PROGRESS.value),
        else_=Category.NOT_STARTED.value,
    )
