"""Linking a chat account to a person with a one-time code from their web profile page.

The same functions serve Telegram (`/start CODE`, the deep link) and Zalo (the follower sends
the code to the OA). Only a hash of the code is stored; a code works once, for a short while.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker.accounts.models import ChatChannel, ChatLink, User
from tracker.audit import service as audit
from tracker.chat.models import LinkCode
from tracker.db import as_utc, utcnow
from tracker.errors import N_, InvalidInput
from tracker.tables import saved_id

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=15)
# No 0/O, 1/I/L: the code is read off a screen and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_CODE_SHAPE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize_code(text: str) -> str:
    """What the person typed, as a code: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s\-]", "", text).upper()


def looks_like_code(text: str) -> bool:
    return bool(_CODE_SHAPE.match(normalize_code(text)))


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: the plain text is shown once and never stored."""

    code: str
    expires_at: datetime
    link_code_id: int


def issue_link_code(session: Session, *, actor: User, now: datetime | None = None) -> IssuedCode:
    """A fresh code for `actor`; any earlier unused code stops working."""
    now = _utc(now)
    session.execute(
        update(LinkCode)
        .where(
            col(LinkCode.user_id) == actor.id,
            col(LinkCode.used_at).is_(None),
            col(LinkCode.expires_at) > now,
        )
        .values(expires_at=now)
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = LinkCode(
        user_id=saved_id(actor),
        code_hash=_hash(code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return IssuedCode(code=code, expires_at=row.expires_at, link_code_id=row.id)


def code_is_usable(session: Session, *, user_id: int, link_code_id: int, now: datetime) -> bool:
    """Whether the person's issued code can still link a chat (unused, not expired)."""
    row = session.get(LinkCode, link_code_id)
    return bool(row and row.user_id == user_id and row.used_at is None and row.expires_at > now)


def link_account(
    session: Session,
    *,
    code: str,
    channel: str,
    external_id: str,
    now: datetime | None = None,
) -> User:
    """Link the chat account `external_id` to the owner of `code`; the code is used up."""
    now = _utc(now)
    if channel not in set(ChatChannel):
        raise InvalidInput(N_("Kênh liên kết không hợp lệ."))
    normalized = normalize_code(code)
    row = session.exec(select(LinkCode).where(LinkCode.code_hash == _hash(normalized))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise InvalidInput(
            N_(
                "Mã liên kết không đúng hoặc đã hết hạn. Đăng nhập Đôn Đốc trên web, mở trang "
                "Hồ sơ cá nhân để lấy mã mới (mã dùng được 15 phút), rồi gửi lại."
            )
        )
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise InvalidInput(N_("Tài khoản gắn với mã này đã bị khóa. Liên hệ quản trị viên."))
    # Claimed with a guarded UPDATE, so two chats racing with one code cannot both win.
    claimed = session.exec(
        update(LinkCode)
        .where(col(LinkCode.id) == row.id, col(LinkCode.used_at).is_(None))
        .values(used_at=now, used_channel=channel)
    )
    if claimed.rowcount != 1:
        raise InvalidInput(N_("Mã liên kết này vừa được dùng. Lấy mã mới trên trang Hồ sơ."))
    _retire_other_links(session, user=user, channel=channel, keep=external_id, now=now)
    link = session.exec(
        select(ChatLink).where(ChatLink.channel == channel, ChatLink.external_id == external_id)
    ).first()
    before_user = link.user_id if link else None
    if link is None:
        link = ChatLink(user_id=saved_id(user), channel=channel, external_id=external_id)
    link.user_id, link.is_active, link.linked_at = saved_id(user), True, now
    link.inactive_reason, link.inactive_at, link.last_interaction_at = None, None, now
    link.pending_action = link.pending_assignment_id = link.pending_until = None
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="chat.linked",
        entity_type="user",
        entity_id=user.id,
        changes={"channel": [None, channel], "chat_user": [before_user, user.id]},
    )
    return user


def _retire_other_links(
    session: Session, *, user: User, channel: str, keep: str, now: datetime
) -> None:
    """One account per person per channel: an older one stops receiving reminders."""
    for old in session.exec(
        select(ChatLink).where(
            ChatLink.user_id == user.id,
            ChatLink.channel == channel,
            col(ChatLink.is_active).is_(True),
            ChatLink.external_id != keep,
        )
    ).all():
        old.is_active, old.inactive_at = False, now
        old.inactive_reason = "Đã liên kết tài khoản khác"
        session.add(old)


def active_link(
    session: Session, *, channel: str, external_id: str
) -> tuple[ChatLink, User] | None:
    """The active link of a chat account and its (active) person, or None."""
    row = session.exec(
        select(ChatLink, User)
        .join(User, col(ChatLink.user_id) == User.id)
        .where(
            ChatLink.channel == channel,
            ChatLink.external_id == external_id,
            col(ChatLink.is_active).is_(True),
            col(User.is_active).is_(True),
        )
    ).first()
    return (row[0], row[1]) if row else None


def unlink(
    session: Session, *, channel: str, external_id: str, now: datetime | None = None
) -> User | None:
    """The person stops reminders in this chat (`/huy`); returns who it was, if anyone."""
    found = active_link(session, channel=channel, external_id=external_id)
    if found is None:
        return None
    link, user = found
    link.is_active, link.inactive_at = False, _utc(now)
    link.inactive_reason = "Người dùng hủy liên kết"
    link.pending_action = link.pending_assignment_id = link.pending_until = None
    session.add(link)
    audit.record(
        session,
        actor=user,
        action="chat.unlinked",
        entity_type="user",
        entity_id=user.id,
        changes={"channel": [channel, None]},
    )
    session.flush()
    return user


def mark_link_dead(
    session: Session, *, chat_link_id: int, reason: str, now: datetime | None = None
) -> None:
    """The channel refused delivery for good (blocked, account gone): stop using the link and
    leave the reason for the admin page."""
    link = session.get(ChatLink, chat_link_id)
    if link is None or not link.is_active:
        return
    link.is_active, link.inactive_at = False, _utc(now)
    link.inactive_reason = reason[:255]
    session.add(link)
    audit.record(
        session,
        actor=None,
        action="chat.link_failed",
        entity_type="user",
        entity_id=link.user_id,
        changes={"channel": [link.channel, None]},
        note=reason[:500],
    )
    log.warning("chat link %s (%s) marked inactive: %s", link.id, link.channel, reason)


def links_of(session: Session, *, user_id: int) -> list[ChatLink]:
    """A person's chat links, newest first (the profile page)."""
    return list(
        session.exec(
            select(ChatLink)
            .where(ChatLink.user_id == user_id)
            .order_by(col(ChatLink.linked_at).desc())
        ).all()
    )


def _utc(moment: datetime | None) -> datetime:
    # Callers pass local or naive times too; the checks here compare in UTC.
    if moment is None:
        return utcnow()
    return as_utc(moment)
