"""The one open-redirect check (tracker.redirects): only paths on this site are followed, on the
sign-in page and everywhere else a form says where to go back to."""

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import PASSWORD, csrf_token, make_user
from tracker.redirects import same_site_path

ELSEWHERE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",  # browsers read a backslash as a slash
    "/\t/evil.example/phish",  # and drop tabs and newlines
    "/\n/evil.example",
    "javascript:alert(1)",
    "thong-bao",
    "/" + "a" * 3000,
    "",
    None,
]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_anything_but_a_path_on_this_site_is_refused(target: str | None) -> None:
    assert same_site_path(target) is None


@pytest.mark.parametrize("target", ["/", "/thong-bao?trang=2", "/nhiem-vu/7#y-kien"])
def test_a_path_on_this_site_is_kept(target: str) -> None:
    assert same_site_path(target) == target


@pytest.mark.parametrize("target", ["/\\evil.example/phish", "/\t/evil.example/phish"])
def test_sign_in_never_sends_people_to_another_site(
    client: FlaskClient, session: Session, target: str
) -> None:
    make_user(session, "head", username="lanhdao")
    session.commit()
    response = client.post(
        "/dang-nhap",
        data={
            "username": "lanhdao",
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
