"""Signing in and out: wrong password, rate limit, CSRF, safe redirects, language."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import PASSWORD, csrf_token, login_as, make_unit, make_user
from tracker.accounts.models import LoginAttempt


def test_right_password_reaches_the_role_home(client: FlaskClient, session: Session) -> None:
    make_user(session, "head", username="lanhdao")
    session.commit()
    response = login_as(client, "lanhdao")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True)
    assert page.request.path == "/tong-hop"
    assert "Tổng hợp tình hình thực hiện" in page.get_data(as_text=True)


def test_wrong_password_is_refused_with_advice(client: FlaskClient, session: Session) -> None:
    make_user(session, "head", username="lanhdao")
    session.commit()
    response = login_as(client, "lanhdao", "wrong password")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in body
    assert client.get("/tong-hop").status_code == 302  # still signed out
    # The same message for an unknown user: no hint about which part was wrong.
    unknown = login_as(client, "nobody", "whatever").get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in unknown


def test_repeated_failures_lock_the_username(client: FlaskClient, session: Session) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    for _ in range(5):
        assert login_as(client, "thuky", "guess").status_code == 200
    locked = login_as(client, "thuky", PASSWORD)
    assert locked.status_code == 429
    assert "Vui lòng chờ 15 phút" in locked.get_data(as_text=True)
    assert client.get("/thong-bao").status_code == 302
    failures = session.exec(
        select(LoginAttempt).where(
            LoginAttempt.username == "thuky", LoginAttempt.succeeded.is_(False)
        )
    ).all()
    assert len(failures) == 5


def test_a_success_resets_the_count(client: FlaskClient, session: Session) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    for _ in range(4):
        login_as(client, "thuky", "guess")
    assert login_as(client, "thuky").status_code == 302
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, "/thong-bao")})
    for _ in range(4):
        login_as(client, "thuky", "guess")
    assert login_as(client, "thuky").status_code == 302


def test_post_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    make_user(session, "head", username="lanhdao")
    session.commit()
    response = client.post("/dang-nhap", data={"username": "lanhdao", "password": PASSWORD})
    assert response.status_code == 400
    assert "Tải lại trang" in response.get_data(as_text=True)
    assert client.get("/tong-hop").status_code == 302
    assert session.exec(select(LoginAttempt)).all() == []


def test_logout_needs_post_with_csrf(client: FlaskClient, session: Session) -> None:
    make_user(session, "head", username="lanhdao")
    session.commit()
    login_as(client, "lanhdao")
    assert client.get("/dang-xuat").status_code == 405
    assert client.post("/dang-xuat").status_code == 400
    assert client.get("/tong-hop").status_code == 200
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, "/tong-hop")})
    assert client.get("/tong-hop").status_code == 302


def test_next_parameter_never_leaves_the_site(client: FlaskClient, session: Session) -> None:
    make_user(session, "head", username="lanhdao")
    session.commit()
    token = csrf_token(client)
    response = client.post(
        "/dang-nhap",
        data={
            "username": "lanhdao",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/phish",
        },
    )
    assert response.headers["Location"] == "/"


def test_protected_page_sends_to_login_then_back(client: FlaskClient, session: Session) -> None:
    unit = make_unit(session, "MTTQ")
    make_user(session, "unit", unit=unit, username="mattran")
    session.commit()
    response = client.get("/don-vi")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dang-nhap?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/don-vi"' in page


def test_inactive_user_cannot_sign_in(client: FlaskClient, session: Session) -> None:
    user = make_user(session, "head", username="lanhdao")
    user.is_active = False
    session.add(user)
    session.commit()
    assert login_as(client, "lanhdao").status_code == 200
    assert client.get("/tong-hop").status_code == 302


def test_language_switch_to_english_and_back(client: FlaskClient) -> None:
    assert "Đăng nhập" in client.get("/dang-nhap").get_data(as_text=True)
    token = csrf_token(client)
    client.post("/ngon-ngu", data={"lang": "en", "csrf_token": token, "next": "/dang-nhap"})
    english = client.get("/dang-nhap").get_data(as_text=True)
    assert "Sign in" in english and 'lang="en"' in english
    client.post("/ngon-ngu", data={"lang": "vi", "csrf_token": csrf_token(client)})
    assert "Đăng nhập" in client.get("/dang-nhap").get_data(as_text=True)
