"""Creating accounts: validation, and nothing written on bad input."""

import pytest
from sqlmodel import Session, select

from tests.helpers import make_unit, make_user
from tracker.accounts import passwords
from tracker.accounts.models import User
from tracker.accounts.service import create_user
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput, PermissionDenied


def test_created_user_has_hashed_password_and_audit_row(session: Session) -> None:
    user = make_user(session, "secretary", username="thuky", password="mật khẩu dài")
    assert user.password_hash != "mật khẩu dài"
    assert passwords.check_password(user.password_hash, "mật khẩu dài")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity_id == user.id)).one()
    assert event.action == "user.created"
    assert event.changes["role"] == [None, "secretary"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "Có Dấu"}, "chữ không dấu"),
        ({"role": "boss"}, "Vai trò 'boss' không có"),
        ({"password": "short"}, "ít nhất 8"),
        ({"role": "unit"}, "cần có mã đơn vị"),
        ({"role": "unit", "unit_code": "NOPE"}, "Không có đơn vị mã 'NOPE'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    session: Session, kwargs: dict, message: str
) -> None:
    arguments = {
        "username": "nguoidung",
        "full_name": "Người dùng",
        "role": "head",
        "password": "long enough",
    } | kwargs
    with pytest.raises(InvalidInput, match=message):
        create_user(session, actor=None, **arguments)
    assert session.exec(select(User)).all() == []


def test_duplicate_username_is_refused(session: Session) -> None:
    make_user(session, "head", username="lanhdao")
    with pytest.raises(InvalidInput, match="đã có người dùng"):
        make_user(session, "secretary", username="LanhDao")


def test_only_an_admin_creates_accounts_from_the_web(session: Session) -> None:
    unit = make_unit(session, "U1")
    unit_user = make_user(session, "unit", unit=unit)
    with pytest.raises(PermissionDenied):
        create_user(
            session,
            actor=unit_user,
            username="x1",
            full_name="X",
            role="admin",
            password="long enough",
        )
    admin = make_user(session, "admin")
    created = create_user(
        session, actor=admin, username="x2", full_name="X", role="head", password="long enough"
    )
    assert created.id is not None
