"""Conclusion notices and their numbered tasks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    # Taken back within 24 hours, before any unit reported: kept with its cancelled
    # assignments for the record; a new draft (revises_id) carries its tasks on.
    WITHDRAWN = "withdrawn"


class Recurrence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Conclusion(SQLModel, table=True):
    """A Thông báo kết luận: a draft while the secretary checks it, then published."""

    __tablename__ = "conclusion"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="status_known"),
        CheckConstraint(
            "status <> 'published' OR (published_at IS NOT NULL AND published_by_id IS NOT NULL)",
            name="published_has_publisher",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=64, index=True)
    title: str = Field(sa_type=Text)
    issuer_unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    issued_on: date | None = None
    period: str | None = Field(default=None, max_length=10, index=True)
    default_due: date | None = None
    source_filename: str | None = Field(default=None, max_length=255)
    source_path: str | None = Field(default=None, max_length=512)
    source_sha256: str | None = Field(default=None, max_length=64)
    parse_warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=NoticeStatus.DRAFT, max_length=16, index=True)
    version: int = Field(default=1)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The withdrawn notice this draft was made from (its tasks, to correct and publish again).
    revises_id: int | None = Field(default=None, foreign_key="conclusion.id")


class Task(SQLModel, table=True):
    """One numbered task of a notice, as parsed and then corrected by the secretary."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint(
            "recurrence IS NULL OR recurrence IN ('monthly', 'quarterly', 'yearly')",
            name="recurrence_known",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conclusion_id: int = Field(foreign_key="conclusion.id", index=True)
    position: int = Field(default=0)
    code: str = Field(max_length=32)
    group_title: str | None = Field(default=None, sa_type=Text)
    text: str = Field(sa_type=Text)
    due: date | None = None
    recurrence: str | None = Field(default=None, max_length=16)
    needs_review: bool = Field(default=False)
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class TaskRole(StrEnum):
    """How a task names a unit: lead (chủ trì, gets an assignment) or support (phối hợp, sees
    the lead's assignment and gets none of its own)."""

    LEAD = "lead"
    SUPPORT = "support"


class TaskUnit(SQLModel, table=True):
    """A unit named by a task, as lead (chủ trì) or support (phối hợp): a `TaskRole`."""

    __tablename__ = "task_unit"
    __table_args__ = (CheckConstraint("role IN ('lead', 'support')", name="role_known"),)

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
    role: str = Field(max_length=16)


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"


class NoticeImport(SQLModel, table=True):
    """One upload being read in the background: the progress page follows it to its draft.

    A refused upload keeps only this row (its reason, shown to the uploader); no draft and no
    stored file are written for it.
    """

    __tablename__ = "notice_import"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'refused')", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_by_id: int = Field(foreign_key="user_account.id", index=True)
    filename: str = Field(max_length=255)
    size_bytes: int = Field(default=0)
    status: str = Field(default=ImportStatus.QUEUED, max_length=16)
    reason_vi: str | None = Field(default=None, sa_type=Text)
    reason_en: str | None = Field(default=None, sa_type=Text)
    conclusion_id: int | None = Field(default=None, foreign_key="conclusion.id")
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # A scan is read page by page: how far the reading has come, for the progress page.
    pages_done: int | None = None
    pages_total: int | None = None
