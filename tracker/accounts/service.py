"""Accounts: creating users and signing in, with a rate limit shared by all web workers."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from tracker.accounts import passwords, throttle
from tracker.accounts.models import LoginAttempt, LoginThrottle, Role, User
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied
from tracker.inputs import MAX_ID, bounded_int, parse_id
from tracker.permissions import can_administer
from tracker.units.models import Unit

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class LoginRefused(InvalidInput):
    """Wrong username or password (deliberately not saying which)."""


def create_user(
    session: Session,
    *,
    actor: User | None,
    username: str,
    full_name: str,
    role: str,
    password: str,
    unit_code: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    """Create a user; `actor` None means the command line, which has the machine's trust."""
    if actor is not None and not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới được tạo tài khoản."))
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            N_("Tên đăng nhập chỉ gồm chữ không dấu, số, '.', '_' hoặc '-' (tối đa 64 ký tự).")
        )
    _check_role(role)
    check_password_length(password)
    if session.exec(select(User).where(User.username == username)).first():
        raise InvalidInput(N_("Tên đăng nhập '{username}' đã có người dùng."), username=username)
    unit = None
    if unit_code:
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
        if unit is None:
            raise InvalidInput(
                N_("Không có đơn vị mã '{code}'. Nạp danh mục đơn vị trước (tracker units load)."),
                code=unit_code,
            )
    _check_unit_for_role(role, has_unit=unit is not None)
    user = User(
        username=username,
        full_name=full_name.strip() or username,
        role=role,
        unit_id=unit.id if unit else None,
        password_hash=passwords.hash_password(password),
        email=email or None,
        phone=phone or None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        changes={
            "username": [None, username],
            "role": [None, role],
            "unit": [None, unit.code if unit else None],
        },
    )
    return user


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    remote_addr: str,
    max_failures: int,
    window: timedelta,
    now: datetime | None = None,
) -> User:
    """Check a password; every attempt is counted and recorded, and repeated failures lock
    the door. The count is taken atomically before the password is checked and committed in a
    transaction of its own (tracker/accounts/throttle.py), so it stands when the sign-in
    fails and parallel guesses never get past `max_failures`."""
    now = now or utcnow()
    username = username.strip().lower()[:64]
    remote_addr = (remote_addr or "unknown")[:64]
    bind = session.get_bind()
    engine: Engine = bind.engine  # a Connection's engine, or the Engine itself
    throttle.take_guess(
        engine,
        username=username,
        remote_addr=remote_addr,
        max_failures=max_failures,
        window=window,
        now=now,
    )
    user = session.exec(select(User).where(User.username == username)).first()
    valid = passwords.check_password(user.password_hash if user else None, password)
    succeeded = bool(user and valid and user.is_active)
    throttle.settle(
        engine, username=username, remote_addr=remote_addr, succeeded=succeeded, now=now
    )
    if not succeeded or user is None:
        log.info("login refused for %r from %s", username, remote_addr)
        raise LoginRefused(
            N_("Tên đăng nhập hoặc mật khẩu không đúng. Kiểm tra lại và thử lần nữa.")
        )
    session.add(
        LoginAttempt(username=username, remote_addr=remote_addr, attempted_at=now, succeeded=True)
    )
    user.last_login_at = now
    session.add(user)
    return user


def end_sessions(session: Session, *, user: User) -> None:
    """Every session this person signed in before now ends at its next request (sign-out,
    password reset): the session version kept in each one no longer matches. Flushes."""
    session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(user)


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active user a signed-in session ("id:version") stands for, or None when the
    session was ended (sign-out elsewhere, a password reset) or the account is disabled."""
    user_part, _, version_part = session_id.partition(":")
    user_id = parse_id(user_part)
    version = bounded_int(version_part, minimum=0, maximum=MAX_ID)
    if user_id is None or version is None:
        return None  # also a session from before session versions: signed in again
    user = get_user(session, user_id)
    if user is None or user.session_version != version:
        return None
    return user


def get_user(session: Session, user_id: int) -> User | None:
    """The active user with this id, or None (used by the login manager on every request)."""
    user = session.get(User, user_id)
    return user if user and user.is_active else None


def list_users(session: Session, *, actor: User) -> list[tuple[User, Unit | None]]:
    """Every account with its unit, for the admin page."""
    if not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới xem được danh sách tài khoản."))
    rows = session.exec(
        select(User, Unit)
        .join(Unit, col(User.unit_id) == Unit.id, isouter=True)
        .order_by(User.username)
    ).all()
    return list(rows)


def purge_login_attempts(
    session: Session, *, older_than: timedelta, now: datetime | None = None
) -> int:
    """Forget sign-in attempts older than the rate-limit needs; returns how many went."""
    cutoff = (now or utcnow()) - older_than
    result = session.exec(delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < cutoff))
    session.exec(delete(LoginThrottle).where(col(LoginThrottle.window_started_at) < cutoff))
    return result.rowcount or 0


def _check_role(role: str) -> None:
    if role not in set(Role):
        raise InvalidInput(
            N_("Vai trò '{role}' không có. Chọn một trong: admin, head, secretary, unit."),
            role=role,
        )


def _check_unit_for_role(role: str, *, has_unit: bool) -> None:
    if role == Role.UNIT and not has_unit:
        raise InvalidInput(N_("Tài khoản đơn vị cần có mã đơn vị."))


def check_password_length(password: str) -> None:
    """The one rule for a new password's length (accounts created, reset or changed)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(N_("Mật khẩu cần ít nhất {n} ký tự."), n=MIN_PASSWORD_LENGTH)


def _admin_fields(user: User) -> dict[str, object]:
    """What an admin may change on an account, for the history row's before and after."""
    return {
        "full_name": user.full_name,
        "role": user.role,
        "unit_id": user.unit_id,
        "is_active": user.is_active,
        "is_unit_head": user.is_unit_head,
    }


def update_user(
    session: Session,
    *,
    actor: User,
    user_id: int,
    full_name: str,
    role: str,
    unit_id: int | None,
    is_active: bool,
    new_password: str | None = None,
    is_unit_head: bool | None = None,
) -> User:
    """Change a person's name, role, unit or access; an admin cannot lock themselves out."""
    if not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới sửa được tài khoản."))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("Không tìm thấy tài khoản này."))
    _check_role(role)
    _check_unit_for_role(role, has_unit=unit_id is not None)
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise InvalidInput(N_("Đơn vị đã chọn không còn trong danh mục."))
    if user.id == actor.id and (role != Role.ADMIN or not is_active):
        raise InvalidInput(N_("Bạn không thể tự bỏ quyền quản trị hay tự khóa tài khoản của mình."))
    if new_password is not None:
        check_password_length(new_password)
    if is_unit_head and role != Role.UNIT:
        raise InvalidInput(
            N_("Chỉ tài khoản đơn vị mới là trưởng đơn vị được. Chọn vai trò 'unit' hoặc bỏ ô.")
        )
    before = _admin_fields(user)
    user.full_name = full_name.strip() or user.full_name
    user.role, user.is_active = role, is_active
    user.unit_id = unit_id
    if is_unit_head is not None:
        user.is_unit_head = is_unit_head
    user.is_unit_head = user.is_unit_head and role == Role.UNIT
    changes = audit.diff(before, _admin_fields(user))
    if new_password:
        user.password_hash = passwords.hash_password(new_password)
        # Whoever signed in with the old password (a stolen cookie too) is signed out.
        user.session_version += 1
        changes["password"] = ["***", "***"]
    session.add(user)
    audit.record(
        session,
        actor=actor,
        action="user.updated",
        entity_type="user",
        entity_id=user.id,
        changes=changes,
    )
    session.flush()
    return user
