"""Every page a person uses speaks one language: no Vietnamese interface text on the English
pages, no English interface text on the Vietnamese ones (the demo data, every role)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import csrf_token, login_as
from tracker.assignments.models import Assignment
from tracker.demo import DEMO_PASSWORD, load_demo
from tracker.i18n import local_today
from tracker.notices.models import Conclusion
from tracker.units.models import Unit

CATALOGUE = Path(__file__).resolve().parents[2] / "tracker/translations/en/LC_MESSAGES/messages.po"
# Text a screen shows as is: attributes a person reads or hears.
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Texts(HTMLParser):
    """The text nodes and read attributes of a page, whitespace folded."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.append(text)


def _texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def _pairs() -> list[tuple[str, str]]:
    """(Vietnamese, English) of every whole message, placeholders and one-word names aside."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        vi, en = message.id, message.string
        if isinstance(vi, tuple):
            vi, en = vi[0], en[0] if isinstance(en, tuple) else en
        if not vi or not en or vi == en or re.search(r"%\(|\{|%s|%d", vi):
            continue
        pairs.append((" ".join(vi.split()), " ".join(en.split())))
    return pairs


def _pages(session: Session) -> dict[str, list[str]]:
    mine = session.exec(
        select(Assignment).join(Unit, Unit.id == Assignment.unit_id).where(Unit.code == "MTTQ")
    ).first()
    notice = session.exec(select(Conclusion)).first()
    assert mine is not None and notice is not None
    return {
        "mattran": [
            "/don-vi",
            "/don-vi?tt=tat-ca&sap=han",
            f"/nhiem-vu/{mine.id}",
            "/hop-thu",
            "/ho-so",
            "/tim-kiem?q=mat+tran",
        ],
        "thuky": [
            "/thong-bao",
            f"/thong-bao/{notice.id}",
            "/thong-bao/nhap",
            "/nhiem-vu",
            "/gia-han",
            "/hop-thu",
        ],
        "lanhdao": ["/tong-hop", "/tong-hop/danh-sach?loai=overdue", "/giao-ban", "/hop-thu"],
        "quantri": [
            "/quan-tri/tai-khoan",
            "/quan-tri/tai-khoan/moi",
            "/quan-tri/nhat-ky",
            "/quan-tri/don-vi",
            "/quan-tri/don-vi/moi",
            "/quan-tri/nhac-viec",
            "/quan-tri/lich-lam-viec",
        ],
    }


@pytest.fixture
def demo(app, session: Session, tmp_path: Path) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        load_demo(session, today=local_today(), source_dir=tmp_path)
    session.commit()
    return _pages(session)


def _visit(client: FlaskClient, username: str, language: str, paths: list[str]) -> dict[str, str]:
    assert login_as(client, username, DEMO_PASSWORD).status_code == 302
    token = csrf_token(client, "/ho-so")
    client.post("/ngon-ngu", data={"lang": language, "csrf_token": token})
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = response.get_data(as_text=True)
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, "/ho-so")})
    return pages


def test_english_pages_show_no_vietnamese_interface_text(
    client: FlaskClient, demo: dict[str, list[str]]
) -> None:
    vietnamese = {vi for vi, _en in _pairs()}
    found = {}
    for username, paths in demo.items():
        for path, html in _visit(client, username, "en", paths).items():
            assert 'lang="en"' in html, path
            left = sorted({text for text in _texts(html) if text in vietnamese})
            if left:
                found[f"{username} {path}"] = left
    assert found == {}


def test_vietnamese_pages_show_no_english_interface_text(
    client: FlaskClient, demo: dict[str, list[str]]
) -> None:
    pairs = _pairs()
    vietnamese = {vi for vi, _en in pairs}
    english = {en for _vi, en in pairs if en not in vietnamese}
    found = {}
    for username, paths in demo.items():
        for path, html in _visit(client, username, "vi", paths).items():
            # The language switch offers "English" in its own language, on purpose.
            left = sorted({text for text in _texts(html) if text in english} - {"English"})
            if left:
                found[f"{username} {path}"] = left
    assert found == {}
