"""People who sign in, their chat links, and the record of login attempts."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    HEAD = "head"
    SECRETARY = "secretary"
    UNIT = "unit"


class ChatChannel(StrEnum):
    TELEGRAM = "telegram"
    ZALO = "zalo"


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'head', 'secretary', 'unit')", name="role_known"),
        CheckConstraint("role <> 'unit' OR unit_id IS NOT NULL", name="unit_user_has_unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=32)
    role: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Part of every signed-in session; raised by sign-out and password resets, so every session
    # signed in before then (a copied cookie too) ends at its next request.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A unit account held by the unit's own head: told of the unit's overdue work before the
    # board's head is (the escalation chain, tracker/reminders/rules.py).
    is_unit_head: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # The interface language the person chose ("vi", "en"); None: not chosen yet.
    language: str | None = Field(default=None, max_length=8)
    # When the person's daily digest leaves (local time); None: the installation's hour.
    digest_time: time | None = Field(default=None)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session keeps: the id and the session version ("12:3")."""
        return f"{self.id}:{self.session_version}"


class ChatLink(SQLModel, table=True):
    """A person's account in a chat channel; inactive once the channel refuses delivery."""

    __tablename__ = "chat_link"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_chat_link_channel_external_id"),
        CheckConstraint("channel IN ('telegram', 'zalo')", name="channel_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    is_active: bool = Field(default=True)
    linked_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    inactive_reason: str | None = Field(default=None, max_length=255)
    inactive_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Zalo lets an OA write freely only for a while after the follower's last message.
    last_interaction_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # A question the bot asked and waits for ("report_percent" / "extension"), kept here
    # rather than in a process's memory so every web worker and bot process sees it.
    pending_action: str | None = Field(default=None, max_length=32)
    pending_assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    pending_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt, kept to rate-limit guessing across all web workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_attempted_at", "username", "attempted_at"),
        Index("ix_login_attempt_remote_addr_attempted_at", "remote_addr", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    remote_addr: str = Field(max_length=64)
    attempted_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    succeeded: bool = Field(default=False)


class LoginThrottle(SQLModel, table=True):
    """Sign-in guesses counted per username ("name:...") and per client address ("addr:...")
    in a fixed window; taken with one atomic upsert before the password is checked, so parallel
    sign-ins can never get more guesses than the limit (tracker/accounts/throttle.py)."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=80)
    window_started_at: datetime = Field(sa_type=UtcDateTime)
    guesses: int = Field(default=0)
