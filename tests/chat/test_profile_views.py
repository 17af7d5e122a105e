"""The profile page: who I am, my chat links, and the one-time code that links a chat."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.helpers import csrf_token, login_as, make_unit, make_user
from tracker.accounts.models import ChatLink
from tracker.chat import linking
from tracker.chat.models import LinkCode
from tracker.config import TelegramSettings

pytestmark = pytest.mark.bots

CODE = re.compile(r'<code id="link-code">([A-Z2-9]{8})</code>')


@pytest.fixture
def people(session: Session):  # type: ignore[no-untyped-def]
    unit = make_unit(session, "HUYEN", "Ban Dân vận Huyện ủy Sông Lam")
    me = make_user(session, "unit", unit=unit, username="huyen")
    other = make_user(session, "head", username="lanhdao")
    session.commit()
    return me, other


def with_bot(app: Flask, username: str) -> None:
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = replace(
        settings, telegram=TelegramSettings(token="123:test", bot_username=username)
    )


def ask_for_code(client: FlaskClient):  # type: ignore[no-untyped-def]
    return client.post(
        "/ho-so/ma-lien-ket",
        data={"csrf_token": csrf_token(client, "/ho-so")},
        follow_redirects=True,
    )


def link_chat(session: Session, user, chat: str) -> ChatLink:  # type: ignore[no-untyped-def]
    code = linking.issue_link_code(session, actor=user).code
    linking.link_account(session, code=code, channel="telegram", external_id=chat)
    session.commit()
    return session.exec(select(ChatLink).where(ChatLink.external_id == chat)).one()


def test_the_profile_needs_a_signed_in_person(client: FlaskClient) -> None:
    response = client.get("/ho-so")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_the_profile_shows_who_i_am_and_the_header_links_to_it(client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "huyen")
    page = client.get("/ho-so").get_data(as_text=True)
    assert "Hồ sơ cá nhân" in page
    assert "Người dùng unit" in page and "huyen" in page
    assert "Ban Dân vận Huyện ủy Sông Lam" in page and "<dd>Đơn vị</dd>" in page
    assert "Chưa liên kết tài khoản chat nào" in page
    assert 'class="who" href="/ho-so"' in client.get("/don-vi").get_data(as_text=True)


def test_a_code_is_shown_with_its_expiry_and_the_deep_link_until_it_is_used(
    app: Flask, client: FlaskClient, session: Session, people
) -> None:  # type: ignore[no-untyped-def]
    with_bot(app, "dondoc_test_bot")
    login_as(client, "huyen")
    before = datetime.now(UTC)
    response = ask_for_code(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    code = CODE.search(page).group(1)
    assert f'href="https://t.me/dondoc_test_bot?start={code}"' in page
    assert f"/start {code}" in page
    # The same link as a QR code a phone's camera reads: the SVG of exactly that link.
    link = f"https://t.me/dondoc_test_bot?start={code}"
    assert '<figure class="qr" id="telegram-qr">' in page
    drawn = segno.make(link, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    assert drawn in page
    # Zalo is not switched on here: no Zalo instructions, and the page says so.
    assert (
        "Official Account" not in page
        and '<strong>Zalo</strong>: <span class="muted">chưa bật' in page
    )
    expiry = re.search(r"Mã hết hạn lúc (\d{2}/\d{2}/\d{4} \d{2}:\d{2})", page).group(1)
    local = datetime.strptime(expiry, "%d/%m/%Y %H:%M").replace(tzinfo=UTC) - timedelta(hours=7)
    assert before + timedelta(minutes=14) <= local <= before + timedelta(minutes=16)
    # The code on the page is the one that links (and it is not kept in plain text).
    assert session.exec(select(LinkCode.code_hash)).one() != code
    # Reloading the page keeps the same code: a new one would silently replace the copied one.
    assert code in client.get("/ho-so").get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(LinkCode)).one() == 1
    assert linking.link_account(session, code=code, channel="telegram", external_id="1").id
    session.commit()
    # Once used, the page stops showing it.
    assert code not in client.get("/ho-so").get_data(as_text=True)


def test_without_a_bot_username_there_is_no_deep_link(
    app: Flask, client: FlaskClient, people
) -> None:  # type: ignore[no-untyped-def]
    with_bot(app, "")
    login_as(client, "huyen")
    page = ask_for_code(client).get_data(as_text=True)
    code = CODE.search(page).group(1)
    assert "t.me/" not in page and f"/start {code}" in page
    assert "<svg" not in page  # no link, no QR code


def test_with_no_chat_channel_switched_on_the_profile_says_so_and_hands_out_no_code(
    client: FlaskClient, session: Session, people
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "huyen")
    page = client.get("/ho-so").get_data(as_text=True)
    for channel in ("Telegram", "Zalo"):
        assert f'<strong>{channel}</strong>: <span class="muted">chưa bật</span>' in page
    assert "Lấy mã liên kết</button>" not in page and "/start" not in page
    assert 'id="telegram-qr"' not in page and "<svg" not in page
    page = ask_for_code(client).get_data(as_text=True)
    assert CODE.search(page) is None and "chưa bật" in page
    assert session.exec(select(func.count()).select_from(LinkCode)).one() == 0


def test_asking_for_a_code_needs_the_csrf_token(
    client: FlaskClient, session: Session, people
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "huyen")
    response = client.post("/ho-so/ma-lien-ket", data={})
    assert response.status_code == 400
    assert session.exec(select(func.count()).select_from(LinkCode)).one() == 0


def test_links_are_listed_and_my_own_can_be_unlinked(
    client: FlaskClient, session: Session, people
) -> None:  # type: ignore[no-untyped-def]
    me, _ = people
    old = link_chat(session, me, "1001")
    mine = link_chat(session, me, "2002")  # the first one is retired
    login_as(client, "huyen")
    page = client.get("/ho-so").get_data(as_text=True)
    assert "Đang nhận nhắc việc" in page and "Đã ngừng: Đã liên kết tài khoản khác" in page
    assert f"/ho-so/lien-ket/{old.id}/huy" not in page
    token = csrf_token(client, "/ho-so")
    response = client.post(f"/ho-so/lien-ket/{mine.id}/huy", data={f"l{mine.id}-csrf_token": token})
    assert response.status_code == 302
    page = client.get("/ho-so").get_data(as_text=True)
    assert "Đã hủy liên kết Telegram" in page and "Người dùng hủy liên kết" in page
    session.expire_all()
    assert not session.get(ChatLink, mine.id).is_active


def test_another_persons_link_cannot_be_unlinked(
    client: FlaskClient, session: Session, people
) -> None:  # type: ignore[no-untyped-def]
    _, other = people
    theirs = link_chat(session, other, "3003")
    login_as(client, "huyen")
    token = csrf_token(client, "/ho-so")
    response = client.post(
        f"/ho-so/lien-ket/{theirs.id}/huy", data={f"l{theirs.id}-csrf_token": token}
    )
    assert response.status_code == 404
    session.expire_all()
    assert session.get(ChatLink, theirs.id).is_active


def test_unlinking_needs_the_csrf_token(client: FlaskClient, session: Session, people) -> None:  # type: ignore[no-untyped-def]
    me, _ = people
    mine = link_chat(session, me, "1001")
    login_as(client, "huyen")
    assert client.post(f"/ho-so/lien-ket/{mine.id}/huy", data={}).status_code == 400
    session.expire_all()
    assert session.get(ChatLink, mine.id).is_active


def test_the_profile_forms_appear_once_and_not_in_the_tab_title(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, "head", username="lanhdao-title")
    session.commit()
    login_as(client, "lanhdao-title")
    page = client.get("/ho-so").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and "<section" not in title.group(1)
    assert page.count('id="mat-khau"') == 1 and page.count('id="lien-he"') == 1
