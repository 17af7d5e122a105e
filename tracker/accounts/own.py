"""A person's own account: their password (the current one required) and contact details.

Each operation checks, changes, writes an audit row and flushes; the caller commits.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from sqlmodel import Session

from tracker.accounts import passwords
from tracker.accounts.models import User
from tracker.accounts.service import MIN_PASSWORD_LENGTH, end_sessions
from tracker.audit import service as audit
from tracker.config import ReminderSettings
from tracker.errors import N_, InvalidInput
from tracker.i18n import LANGUAGES
from tracker.reminders import quiet

MAX_PASSWORD_LENGTH = 256
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\".]{2,}$")
# Digits with the spaces, dots, dashes and a leading + people type: 0912 345 678, +84 912...
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 .-]{7,18}[0-9]$")


def change_password(
    session: Session,
    *,
    actor: User,
    current_password: str,
    new_password: str,
    confirmation: str,
) -> User:
    """A new password for `actor`, who proves they know the current one."""
    if not passwords.check_password(actor.password_hash, current_password or ""):
        raise InvalidInput(N_("Mật khẩu hiện tại không đúng. Nhập lại mật khẩu bạn đang dùng."))
    if len(new_password) < MIN_PASSWORD_LENGTH or len(new_password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("Mật khẩu mới cần từ {n} đến {m} ký tự."),
            n=MIN_PASSWORD_LENGTH,
            m=MAX_PASSWORD_LENGTH,
        )
    if new_password != confirmation:
        raise InvalidInput(N_("Hai lần nhập mật khẩu mới không khớp. Nhập lại cả hai ô."))
    if new_password == current_password:
        raise InvalidInput(N_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    # The installation's hash setting (scrypt in production), as for every other password.
    actor.password_hash = passwords.hash_password(new_password)
    session.add(actor)
    audit.record(
        session,
        actor=actor,
        action="user.password_changed",
        entity_type="user",
        entity_id=actor.id,
    )
    session.flush()
    end_other_sessions(session, user=actor)
    return actor


def end_other_sessions(session: Session, *, user: User) -> None:
    """Every session `user` signed in before ends at its next request (a copied cookie too);
    the view signs the current browser in again, so only the sessions elsewhere end."""
    end_sessions(session, user=user)


def update_contact(session: Session, *, actor: User, email: str, phone: str) -> User:
    """`actor`'s own e-mail address and phone number; empty clears one."""
    email, phone = email.strip(), " ".join(phone.split())
    if email and (len(email) > 255 or not EMAIL_PATTERN.match(email)):
        raise InvalidInput(
            N_("Địa chỉ thư điện tử '{email}' chưa đúng dạng, ví dụ ten@coquan.gov.vn."),
            email=email[:80],
        )
    if phone and (len(phone) > 32 or not PHONE_PATTERN.match(phone)):
        raise InvalidInput(
            N_("Số điện thoại '{phone}' chưa đúng dạng: chỉ gồm chữ số, ví dụ 0912 345 678."),
            phone=phone[:40],
        )
    changes = audit.diff(
        {"email": actor.email, "phone": actor.phone},
        {"email": email or None, "phone": phone or None},
    )
    if not changes:
        return actor
    actor.email, actor.phone = email or None, phone or None
    return _saved(session, actor, "user.contact_changed", changes)


def set_language(session: Session, *, actor: User, language: str) -> User:
    """Keep `actor`'s interface language, so it follows them to every browser."""
    if language not in LANGUAGES:
        raise InvalidInput(N_("Ngôn ngữ '{language}' chưa có. Chọn vi hoặc en."), language=language)
    if actor.language == language:
        return actor
    changes = {"language": [actor.language, language]}
    actor.language = language
    return _saved(session, actor, "user.language_changed", changes)


def set_digest_time(
    session: Session, *, actor: User, value: str, reminders: ReminderSettings
) -> User:
    """When `actor`'s daily digest leaves ("HH:MM", local time); empty: the installation's
    hour. A time in the quiet hours (nothing is sent then) or before the installation's hour
    (the digest is not made yet) is refused."""
    value = value.strip()
    chosen = None
    if value:
        try:
            chosen = time.fromisoformat(value).replace(second=0, microsecond=0, tzinfo=None)
        except ValueError:
            raise InvalidInput(
                N_("Giờ nhận nhắc việc '{value}' chưa đúng dạng giờ:phút, ví dụ 07:30."),
                value=value[:20],
            ) from None
        if quiet.is_quiet(chosen, reminders):
            assert reminders.quiet_start is not None and reminders.quiet_end is not None
            raise InvalidInput(
                N_(
                    "Từ {start} đến {end} là giờ yên lặng, hệ thống không gửi nhắc việc. Chọn "
                    "giờ khác."
                ),
                start=f"{reminders.quiet_start:%H:%M}",
                end=f"{reminders.quiet_end:%H:%M}",
            )
        planned = time(reminders.digest_hour)
        if chosen < planned:
            # The day's digests are put together at the installation's hour: an earlier time
            # would silently become that hour, so it is refused with the first time that works.
            raise InvalidInput(
                N_(
                    "Bản tin nhắc việc được lập lúc {planned} mỗi ngày làm việc, nên không gửi "
                    "sớm hơn được. Chọn từ {planned} trở đi."
                ),
                planned=f"{planned:%H:%M}",
            )
    if actor.digest_time == chosen:
        return actor
    changes = {
        "digest_time": [
            f"{actor.digest_time:%H:%M}" if actor.digest_time else None,
            f"{chosen:%H:%M}" if chosen else None,
        ]
    }
    actor.digest_time = chosen
    return _saved(session, actor, "user.digest_time_changed", changes)


def _saved(session: Session, actor: User, action: str, changes: dict[str, Any]) -> User:
    """Keep a change a person made to their own account, with its history row."""
    session.add(actor)
    audit.record(
        session, actor=actor, action=action, entity_type="user", entity_id=actor.id, changes=changes
    )
    session.flush()
    return actor
