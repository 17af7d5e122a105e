"""What the senders keep in the database: a channel's current access tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class ChannelToken(SQLModel, table=True):
    """A channel's current access and (single-use) refresh token; `version` makes the swap
    atomic when several dispatchers refresh at once."""

    __tablename__ = "channel_token"
    __table_args__ = (CheckConstraint("channel IN ('zalo')", name="channel_known"),)

    channel: str = Field(max_length=16, primary_key=True)
    access_token: str = Field(default="", sa_type=Text)
    refresh_token: str = Field(default="", sa_type=Text)
    access_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    version: int = Field(default=1)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
