"""One inbox entry: written by the web channel's sender when it delivers an outbox row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from tracker.db import utcnow


class Topic(StrEnum):
    """What an entry is about; its words are in tracker/inbox/wording.py."""

    NEW_ASSIGNMENTS = "new_assignments"
    EXTENSION_DECIDED = "extension_decided"
    EXPLANATION_REQUESTED = "explanation_requested"
    EXPLANATION_ANSWERED = "explanation_answered"
    REPORT_SUBMITTED = "report_submitted"
    EXTENSION_REQUESTED = "extension_requested"


class InboxEntry(SQLModel, table=True):
    """One thing a person should know. Unique on the outbox row that carried it, so a
    dispatcher that delivers a row twice (it died before recording the first delivery) still
    leaves one entry. Dismissing hides an entry; nothing is deleted."""

    __tablename__ = "inbox_entry"
    __table_args__ = (
        # The header's count: unread entries of one person.
        Index("ix_inbox_entry_user_id_read_at", "user_id", "read_at"),
        # The inbox page: one person's entries not dismissed, newest first.
        Index("ix_inbox_entry_user_id_dismissed_at_id", "user_id", "dismissed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    outbox_message_id: int = Field(foreign_key="outbox_message.id", unique=True)
    topic: str = Field(max_length=32)
    # What the words need (codes, notice number, counts), rendered in the reader's language.
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # A path on this site (the assignment, the explanation page, the unit's list).
    link: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    dismissed_at: datetime | None = None
