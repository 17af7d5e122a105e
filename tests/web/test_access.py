"""Who may open which page: a table of (role, URL, expected status)."""

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import login_as, make_unit, make_user

PAGES = [
    "/don-vi",
    "/tong-hop",
    "/thong-bao",
    "/quan-tri/tai-khoan",
    "/quan-tri/don-vi",
    "/quan-tri/nhat-ky",
]

EXPECTED = {
    "unit": [200, 403, 403, 403, 403, 403],
    "secretary": [403, 200, 200, 403, 403, 403],
    "head": [403, 200, 200, 403, 403, 403],
    "admin": [403, 403, 403, 200, 200, 200],
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_opens_only_its_pages(client: FlaskClient, session: Session, role: str) -> None:
    unit = make_unit(session, "U1") if role == "unit" else None
    make_user(session, role, unit=unit, username=f"u-{role}")
    session.commit()
    login_as(client, f"u-{role}")
    statuses = [client.get(page).status_code for page in PAGES]
    assert statuses == EXPECTED[role]


def test_refusal_page_tells_what_to_do(client: FlaskClient, session: Session) -> None:
    make_user(session, "unit", unit=make_unit(session, "U1"), username="donvi")
    session.commit()
    login_as(client, "donvi")
    page = client.get("/quan-tri/tai-khoan")
    body = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "Bạn không có quyền xem trang này" in body
    assert "liên hệ quản trị viên" in body


@pytest.mark.parametrize("page", PAGES)
def test_signed_out_visitors_go_to_login(client: FlaskClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dang-nhap")


def test_navigation_shows_only_allowed_pages(client: FlaskClient, session: Session) -> None:
    make_user(session, "unit", unit=make_unit(session, "U1"), username="donvi")
    session.commit()
    login_as(client, "donvi")
    body = client.get("/don-vi").get_data(as_text=True)
    assert 'href="/don-vi"' in body
    assert 'href="/quan-tri/tai-khoan"' not in body
    assert 'href="/tong-hop"' not in body


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_security_headers_are_sent(client: FlaskClient) -> None:
    headers = client.get("/dang-nhap").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    cookie = client.get_cookie("session")
    assert cookie is None or cookie.http_only


def test_oversized_request_gets_413_with_advice(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/dang-nhap", data={"username": "x" * 4096})
    assert response.status_code == 413
    assert "vượt quá giới hạn" in response.get_data(as_text=True)
