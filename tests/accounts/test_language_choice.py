"""The language a person chooses is kept with their account and follows them to every
browser; before signing in, the choice lasts for the browser."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import csrf_token, login_as, make_unit, make_user
from tracker.audit.models import AuditEvent


def choose(client: FlaskClient, language: str, page: str) -> None:
    client.post("/ngon-ngu", data={"lang": language, "csrf_token": csrf_token(client, page)})


def test_the_choice_follows_the_person_to_another_browser(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    unit = make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh")
    person = make_user(session, "unit", unit=unit, username="mattran")
    session.commit()
    login_as(client, "mattran")
    choose(client, "en", "/don-vi")
    session.refresh(person)
    assert person.language == "en"
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "user.language_changed")
    ).one()
    assert event.changes == {"language": [None, "en"]}

    elsewhere = app.test_client()
    login_as(elsewhere, "mattran")
    page = elsewhere.get("/don-vi").get_data(as_text=True)
    assert '<html lang="en">' in page
    # Signed out, the page goes back to Vietnamese; signing in brings English back.
    elsewhere.post("/dang-xuat", data={"csrf_token": csrf_token(elsewhere, "/don-vi")})
    assert '<html lang="vi">' in elsewhere.get("/dang-nhap").get_data(as_text=True)
    login_as(elsewhere, "mattran")
    assert '<html lang="en">' in elsewhere.get("/ho-so").get_data(as_text=True)


def test_a_choice_made_before_signing_in_is_kept_by_someone_with_none(
    client: FlaskClient, session: Session
) -> None:
    person = make_user(session, "head", username="lanhdao")
    session.commit()
    choose(client, "en", "/dang-nhap")
    login_as(client, "lanhdao")
    assert '<html lang="en">' in client.get("/ho-so").get_data(as_text=True)
    session.refresh(person)
    assert person.language is None  # chosen while signed out: not written to the account
