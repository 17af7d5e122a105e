"""The outbox: every message, planned once and sent once. The channels are in
tracker/notify/channels.py, the calendar's exceptions in tracker/workdays.py."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    # The channel timed out: it may have delivered, so the message is not sent again.
    UNCONFIRMED = "unconfirmed"
    FAILED = "failed"


class Rule(StrEnum):
    """Why a person hears about an assignment on a given day (an item of a digest)."""

    NEW = "new"
    BEFORE_DUE = "before_due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    # The first step of the chain: the unit's own head (before ESCALATION, the board's head).
    UNIT_ESCALATION = "unit_escalation"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"
    PERIOD_REPORT = "period_report"


class MessageKind(StrEnum):
    DIGEST = "digest"
    TEST = "test"
    # One event (an explanation request, a decision, a report...), told once: the inbox entry
    # and, for an explanation request, the chat message.
    EVENT = "event"


class OutboxMessage(SQLModel, table=True):
    """One message to one person on one channel.

    Unique on (person, channel, kind, day, covers): planning the same day twice inserts
    nothing new. `covers` is a digest of the (assignment, rule) items the message carries;
    `items` lists them for the admin page and the chat buttons.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "channel", "kind", "day", "covers", name="uq_outbox_message_natural_key"
        ),
        CheckConstraint("channel IN ('telegram', 'zalo', 'email', 'web')", name="channel_known"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'unconfirmed', 'failed')",
            name="status_known",
        ),
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_message_day_kind", "day", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    channel: str = Field(max_length=16)
    kind: str = Field(default=MessageKind.DIGEST, max_length=16)
    day: date
    covers: str = Field(max_length=64)
    # Where it goes: a chat id, a Zalo follower id, an e-mail address; for the web inbox, the
    # person's id.
    address: str = Field(max_length=255)
    chat_link_id: int | None = Field(default=None, foreign_key="chat_link.id", index=True)
    subject: str = Field(default="", max_length=255)
    # Telegram HTML (escaped when rendered); channels without HTML get it stripped.
    body: str = Field(sa_type=Text)
    items: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # How many parts of a long message were delivered, so a retry never repeats one.
    parts_sent: int = Field(default=0)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    external_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
