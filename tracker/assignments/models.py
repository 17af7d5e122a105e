"""Assignments of tasks to units, their progress reports and extension requests."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class AssignmentStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Assignment(SQLModel, table=True):
    """A task given to one unit with a due date; `version` guards against lost updates.

    Only the lead units (chủ trì) of a task get an assignment; the support units (phối hợp) are
    `TaskUnit` rows only (see the README's glossary), so an assignment has no role of its own."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", name="uq_assignment_task_id_unit_id"),
        CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'cancelled')", name="status_known"
        ),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name="done_has_date"),
        CheckConstraint(
            "status <> 'cancelled' OR cancelled_reason IS NOT NULL", name="cancelled_has_reason"
        ),
        Index("ix_assignment_unit_id_status", "unit_id", "status"),
        Index("ix_assignment_status_due", "status", "due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    due: date | None = Field(default=None, index=True)
    status: str = Field(default=AssignmentStatus.NOT_STARTED, max_length=16)
    percent: int = Field(default=0)
    completed_on: date | None = None
    cancelled_reason: str | None = Field(default=None, sa_type=Text)
    parent_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class ProgressReport(SQLModel, table=True):
    """What a unit reported, with the state before and after: never edited, never deleted."""

    __tablename__ = "progress_report"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    author_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    status_before: str = Field(max_length=16)
    status_after: str = Field(max_length=16)
    percent_before: int
    percent_after: int
    note: str = Field(default="", sa_type=Text)


class ExtensionRequest(SQLModel, table=True):
    """A unit's request for a later due date and the decision on it."""

    __tablename__ = "extension_request"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status_known"),
        CheckConstraint(
            "status = 'pending' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decision_recorded",
        ),
        # One open request per assignment, held by the database: a double-click or two tabs
        # can no longer slip a second one past the service's check.
        Index(
            "uq_extension_request_one_pending",
            "assignment_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    requested_by_id: int = Field(foreign_key="user_account.id")
    requested_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    current_due: date | None = None
    requested_due: date
    reason: str = Field(sa_type=Text)
    status: str = Field(default=ExtensionStatus.PENDING, max_length=16, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_comment: str | None = Field(default=None, sa_type=Text)


class EvidenceFile(SQLModel, table=True):
    """A file a unit attached to a progress report, stored under instance/uploads."""

    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="progress_report.id", index=True)
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    original_name: str = Field(max_length=255)
    # A random name on disk, never derived from what the user sent.
    stored_name: str = Field(max_length=64, unique=True)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)


class AssignmentComment(SQLModel, table=True):
    """A remark on an assignment, by its unit, a support unit, or the secretariat."""

    __tablename__ = "assignment_comment"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    author_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    body: str = Field(sa_type=Text)


# The end of a state row that is still in force: a real date keeps "in force at D" one range.
STILL_IN_FORCE = date(9999, 12, 31)


# ix_assignment_state_in_force (migrations 0014, 0020): parent_id is in it although the index
# holds only one value of it, so that SQLite knows it need not read the table.
IN_FORCE_INDEX_COLUMNS = (
    "valid_until",
    "valid_from",
    "unit_id",
    "task_id",
    "status",
    "due",
    "completed_on",
    "parent_id",
)
# What the figures count: assignments that are not delegated parts (a part counts through its
# parent).
COUNTED_ROWS = "parent_id IS NULL"


class AssignmentState(SQLModel, table=True):
    """What was recorded about an assignment from `valid_from` until the day before
    `valid_until` (local days): one row per day on which it changed, never rewritten after.

    The columns that never change (task, unit, parent) are copied so that a province's
    rollup at any date reads this table alone. See tracker/assignments/asof.py.
    """

    __tablename__ = "assignment_state"
    __table_args__ = (
        CheckConstraint("valid_from < valid_until", name="range_not_empty"),
        # An assignment's own state (and the row a change closes).
        Index("ix_assignment_state_assignment_id_valid_until", "assignment_id", "valid_until"),
        # The rollups at a date: the rows in force then are a range of valid_until (the rows
        # closed before the date are skipped; at today, only the current rows are read), and
        # every column a rollup counts with is in the index, so the table is never read.
        # Partial: only what the figures count (see tracker/rollups/queries.py, COUNTED).
        Index(
            "ix_assignment_state_in_force",
            *IN_FORCE_INDEX_COLUMNS,
            postgresql_where=text(COUNTED_ROWS),
            sqlite_where=text(COUNTED_ROWS),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    parent_id: int | None = Field(default=None)
    status: str = Field(max_length=16)
    percent: int
    due: date | None = None
    completed_on: date | None = None
    valid_from: date
    valid_until: date = Field(default=STILL_IN_FORCE)
    recorded_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


# Registers the writers of AssignmentState on Assignment (mapper events).
from tracker.assignments import history as _history  # noqa: E402,F401
