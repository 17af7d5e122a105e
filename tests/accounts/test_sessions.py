"""Sessions end on the server: sign-out and a password reset end every copy of a session
cookie; an idle session runs out; parallel guesses never get past the limit; behind a trusted
proxy each client is counted by its own address."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.helpers import PASSWORD, csrf_token, login_as, make_user
from tracker import create_app
from tracker.accounts import service
from tracker.accounts.models import LoginAttempt
from tracker.errors import RateLimited

# Every signed-in person may open their profile; signed out, it sends them to sign in.
PROTECTED = "/ho-so"


def _copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    assert login_as(client, "thuky").status_code == 302
    thief = _copy_of(client, app)
    assert thief.get(PROTECTED).status_code == 200  # the copy works while signed in

    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, PROTECTED)})

    assert client.get(PROTECTED).status_code == 302
    refused = thief.get(PROTECTED)
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/dang-nhap")


def test_a_password_reset_by_the_admin_ends_every_session_of_that_person(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = make_user(session, "head", username="lanhdao")
    make_user(session, "admin", username="quantri")
    session.commit()
    assert login_as(client, "lanhdao").status_code == 302
    thief = _copy_of(client, app)
    assert thief.get(PROTECTED).status_code == 200

    admin = app.test_client()
    login_as(admin, "quantri")
    page = f"/quan-tri/tai-khoan/{user.id}"
    saved = admin.post(
        page,
        data={
            "csrf_token": csrf_token(admin, page),
            "full_name": "Trần Thị Lãnh",
            "role": "head",
            "unit": "",
            "is_active": "y",
            "new_password": "mat-khau-moi-dai",
        },
    )
    assert saved.status_code == 302

    assert client.get(PROTECTED).status_code == 302  # the person's own browser too
    assert thief.get(PROTECTED).status_code == 302
    assert admin.get(PROTECTED).status_code == 200  # nobody else is touched
    assert login_as(app.test_client(), "lanhdao", "mat-khau-moi-dai").status_code == 302


def test_an_admin_who_resets_their_own_password_stays_signed_in_here_only(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    admin = make_user(session, "admin", username="quantri")
    session.commit()
    login_as(client, "quantri")
    elsewhere = app.test_client()
    login_as(elsewhere, "quantri")
    page = f"/quan-tri/tai-khoan/{admin.id}"
    saved = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "full_name": "Quản trị",
            "role": "admin",
            "unit": "",
            "is_active": "y",
            "new_password": "mat-khau-moi-dai",
        },
    )
    assert saved.status_code == 302
    assert client.get(PROTECTED).status_code == 200
    assert elsewhere.get(PROTECTED).status_code == 302


def test_a_session_idle_longer_than_the_limit_is_signed_out(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    login_as(client, "thuky")
    assert client.get(PROTECTED).status_code == 200
    issued = TimestampSigner.get_timestamp

    def eleven_hours_later(self: TimestampSigner) -> int:
        return issued(self) + 11 * 3600

    monkeypatch.setattr(TimestampSigner, "get_timestamp", eleven_hours_later)
    assert client.get(PROTECTED).status_code == 200  # 11 h idle: still in (and renewed)

    def thirteen_hours_after_that(self: TimestampSigner) -> int:
        return issued(self) + 24 * 3600

    monkeypatch.setattr(TimestampSigner, "get_timestamp", thirteen_hours_after_that)
    assert client.get(PROTECTED).status_code == 302  # 13 h since the last request: out


def test_thirty_parallel_sign_ins_get_no_more_than_the_limit_of_guesses(
    engine: Engine, session: Session
) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    start = threading.Barrier(30)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def guess(number: int) -> None:
        with Session(engine) as own:
            start.wait()
            try:
                service.authenticate(
                    own,
                    username="thuky",
                    password=f"guess-{number}",
                    remote_addr=f"10.0.0.{number}",
                    max_failures=5,
                    window=timedelta(minutes=15),
                )
                outcome = "signed in"
            except RateLimited:
                outcome = "locked"
            except service.LoginRefused:
                outcome = "wrong password"
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert outcomes == Counter({"wrong password": 5, "locked": 25})
    checked = session.exec(select(LoginAttempt).where(LoginAttempt.username == "thuky")).all()
    assert len(checked) == 5  # only five passwords were ever checked
    with pytest.raises(RateLimited):  # and the right one is refused until the window ends
        service.authenticate(
            session,
            username="thuky",
            password=PASSWORD,
            remote_addr="10.9.9.9",
            max_failures=5,
            window=timedelta(minutes=15),
        )


@pytest.fixture
def proxied_app(database_url: str, tmp_path: Path, app: Flask) -> Flask:
    """The app behind one trusted reverse proxy (TRACKER_TRUSTED_PROXIES=1)."""
    return create_app(
        environment="testing",
        database_url=database_url,
        instance_path=tmp_path / "proxied",
        secret_key="test-secret",
        trusted_proxies=1,
    )


def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_the_others(
    proxied_app: Flask, session: Session
) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    guesser = proxied_app.test_client()
    guesser.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    for n in range(21):  # more than the address limit (4 × 5), over many names
        login_as(guesser, f"ten{n}", "guess")
    assert login_as(guesser, "thuky").status_code == 429  # the guesser is locked out

    colleague = proxied_app.test_client()  # same proxy, another client behind it
    colleague.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.8"
    assert login_as(colleague, "thuky").status_code == 302
    addresses = set(session.exec(select(LoginAttempt.remote_addr)).all())
    assert addresses == {"203.0.113.7", "203.0.113.8"}


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.1"
    login_as(client, "thuky", "guess")
    assert session.exec(select(LoginAttempt.remote_addr)).all() == ["127.0.0.1"]


def test_hsts_is_sent_in_production_only(
    database_url: str, tmp_path: Path, client: FlaskClient
) -> None:
    assert "Strict-Transport-Security" not in client.get("/dang-nhap").headers
    production = create_app(
        environment="production",
        database_url=database_url,
        instance_path=tmp_path / "production",
        secret_key="x" * 40 + "-a-production-secret",
    )
    header = production.test_client().get("/dang-nhap").headers["Strict-Transport-Security"]
    assert header.startswith("max-age=31536000")
