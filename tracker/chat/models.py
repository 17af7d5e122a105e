"""Linking chat accounts to people, the bot's held messages and the webhook events already
handled. The channels' own credentials are in tracker/notify/models.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class LinkCode(SQLModel, table=True):
    """A one-time code shown on a person's profile page; only its hash is stored."""

    __tablename__ = "link_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    used_channel: str | None = Field(default=None, max_length=16)


class WebhookEvent(SQLModel, table=True):
    """A chat platform's event already handled (Telegram's update_id, a Zalo event's
    fingerprint): a replayed or retried one is ignored. Kept WEBHOOK_EVENT_RETENTION, longer
    than any platform retries an event (tracker/chat/webhook_events.py)."""

    __tablename__ = "webhook_event"

    channel: str = Field(max_length=16, primary_key=True)
    event_id: str = Field(max_length=128, primary_key=True)
    received_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow, index=True)


class TelegramInbox(SQLModel, table=True):
    """A Telegram update the webhook stored and answered 200 for at once; the dispatcher's
    inbox worker handles it (tracker/chat/inbox.py), so a slow Telegram never holds a web
    worker. Deleted once handled; webhook_event keeps its update_id against repeats."""

    __tablename__ = "telegram_inbox"

    update_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    payload: str = Field(sa_type=Text)
    received_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    # A worker's claim, taken over when older than the lease (a worker that died).
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
