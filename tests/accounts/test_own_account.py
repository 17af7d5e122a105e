"""Own account: changing one's password needs the current one; e-mail and phone are kept
only when they look like an address and a number; each change leaves a history row."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import PASSWORD, csrf_token, login_as, make_unit, make_user
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent

NEW_PASSWORD = "a much longer secret 2027"


@pytest.fixture
def me(session: Session) -> User:
    unit = make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh")
    user = make_user(session, "unit", unit=unit, username="mattran")
    session.commit()
    return user


def change(client: FlaskClient, current: str, new: str, again: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/ho-so/mat-khau",
        data={
            "csrf_token": csrf_token(client, "/ho-so"),
            "current_password": current,
            "new_password": new,
            "confirmation": new if again is None else again,
        },
    )


def signs_in(app: Flask, password: str) -> bool:
    """Whether `password` signs in now, from another browser."""
    return login_as(app.test_client(), "mattran", password).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong password", NEW_PASSWORD, None, "Mật khẩu hiện tại không đúng"),
        (PASSWORD, "short", None, "cần từ 8 đến 256 ký tự"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "không khớp"),
        (PASSWORD, PASSWORD, None, "phải khác mật khẩu hiện tại"),
    ],
)
def test_a_bad_password_change_is_refused_and_changes_nothing(
    app: Flask,
    client: FlaskClient,
    session: Session,
    me: User,
    current: str,
    new: str,
    again: str | None,
    message: str,
) -> None:
    login_as(client, "mattran")
    response = change(client, current, new, again)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action.like("user.password%"))).all() == []
    )
    assert signs_in(app, PASSWORD)


def test_the_password_changes_with_the_current_one_and_this_browser_stays_signed_in(
    app: Flask, client: FlaskClient, session: Session, me: User
) -> None:
    elsewhere = app.test_client()
    login_as(elsewhere, "mattran")
    assert elsewhere.get("/ho-so").status_code == 200
    login_as(client, "mattran")
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    # The session in the other browser has ended; this one goes on.
    assert "/dang-nhap" in elsewhere.get("/ho-so").headers.get("Location", "")
    page = client.get("/ho-so").get_data(as_text=True)
    assert "Đã đổi mật khẩu" in page
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "user.password_changed")
    ).one()
    assert event.actor_id == me.id and event.changes == {}  # no hash in the trail
    assert not signs_in(app, PASSWORD)
    assert signs_in(app, NEW_PASSWORD)
    assert client.get("/ho-so").status_code == 200  # this browser is still signed in


def test_a_password_change_needs_the_csrf_token(app: Flask, client: FlaskClient, me: User) -> None:
    login_as(client, "mattran")
    response = client.post(
        "/ho-so/mat-khau",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert signs_in(app, PASSWORD)


def post_contact(client: FlaskClient, email: str, phone: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/ho-so/lien-he",
        data={"csrf_token": csrf_token(client, "/ho-so"), "email": email, "phone": phone},
    )


def test_email_and_phone_are_saved_and_shown(
    client: FlaskClient, session: Session, me: User
) -> None:
    login_as(client, "mattran")
    assert post_contact(client, " mattran@tinh.gov.vn ", "0912  345 678").status_code == 302
    session.refresh(me)
    assert (me.email, me.phone) == ("mattran@tinh.gov.vn", "0912 345 678")
    page = client.get("/ho-so").get_data(as_text=True)
    assert 'value="mattran@tinh.gov.vn"' in page and 'value="0912 345 678"' in page
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "user.contact_changed")
    ).one()
    assert event.changes["email"] == [None, "mattran@tinh.gov.vn"]


@pytest.mark.parametrize(
    ("email", "phone", "message"),
    [
        ("mattran@", "", "chưa đúng dạng"),
        ("a b@tinh.gov.vn", "", "chưa đúng dạng"),
        ("", "09-abc-123", "chỉ gồm chữ số"),
        ("", "12", "chỉ gồm chữ số"),
    ],
)
def test_a_bad_address_or_number_is_refused_with_what_to_type(
    client: FlaskClient, session: Session, me: User, email: str, phone: str, message: str
) -> None:
    login_as(client, "mattran")
    response = post_contact(client, email, phone)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    session.refresh(me)
    assert (me.email, me.phone) == (None, None)
