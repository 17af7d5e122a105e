"""Explanation requests answered from Telegram (the webhook route, the fake Bot API): the
button then the text, or a reply to the request's message; the answer shows on the web."""

from __future__ import annotations

import html

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session

from tests.bots import test_telegram_bot as telegram_tests
from tests.bots.test_conversation import World
from tests.bots.test_telegram_bot import CHAT, ByWebhook, keyboard, one
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import login_as
from tracker.assignments.models import Assignment
from tracker.chat import linking
from tracker.db import unit_of_work
from tracker.rollups.models import ExplanationRequest

pytestmark = pytest.mark.bots

fake = telegram_tests.fake
bot_app = telegram_tests.bot_app
world = telegram_tests.world


@pytest.fixture
def transport(bot_app: Flask, fake: FakeTelegram, world: World) -> ByWebhook:
    with unit_of_work(bot_app.extensions["tracker.engine"]) as session:
        code = linking.issue_link_code(session, actor=world.unit_user).code
    transport = ByWebhook(fake, bot_app.test_client())
    transport.text(CHAT, f"/start {code}")
    return transport


def ask(engine: Engine, world: World, message: str = "Vì sao chậm tổng kết?") -> int:
    with unit_of_work(engine) as session:
        request = ExplanationRequest(
            assignment_id=world.overdue_task.id, message=message, requested_by_id=world.head.id
        )
        session.add(request)
        session.flush()
        return request.id or 0


def stored(engine: Engine, request_id: int) -> ExplanationRequest:
    with Session(engine) as session:
        request = session.get(ExplanationRequest, request_id)
        assert request is not None
        return request


def test_the_button_then_the_text_answers_and_the_web_shows_it(
    bot_app: Flask, engine: Engine, transport: ByWebhook, world: World
) -> None:
    request_id = ask(engine, world)
    listing = one(transport.text(CHAT, "/giaitrinh"))
    assert "Yêu cầu giải trình đang chờ" in listing["text"]
    assert "Vì sao chậm tổng kết?" in listing["text"]
    assert keyboard(listing) == [[("1. Giải trình 1.2", f"exp:{request_id}")]]

    answer, _ = transport.press(CHAT, f"exp:{request_id}")
    assert answer["text"] == "Mời nhập nội dung giải trình."
    text = one(transport.text(CHAT, "Chờ số liệu của 3 xã, xong trước 20/12"))["text"]
    assert "Đã gửi giải trình cho nhiệm vụ <b>1.2</b>" in text
    request = stored(engine, request_id)
    assert request.answer == "Chờ số liệu của 3 xã, xong trước 20/12"
    assert request.answered_by_id == world.unit_user.id

    web = bot_app.test_client()
    login_as(web, "huyen")
    page = html.unescape(web.get(f"/nhiem-vu/{world.overdue_task.id}").get_data(as_text=True))
    assert "Chờ số liệu của 3 xã, xong trước 20/12" in page

    # The list is empty now; pressing the old button again is refused, nothing overwritten.
    assert "không có yêu cầu giải trình nào" in one(transport.text(CHAT, "/giaitrinh"))["text"]
    answer, _ = transport.press(CHAT, f"exp:{request_id}")
    assert "đã được giải trình" in answer["text"]


def test_a_reply_to_the_request_s_message_answers_it(
    engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    request_id = ask(engine, world)
    listing = one(transport.text(CHAT, "/giaitrinh"))
    before = len(fake.sent(CHAT))
    transport.post(fake.push_message(CHAT, "Đã họp xong, nộp bù tuần sau", reply_to=listing))
    text = one(fake.sent(CHAT)[before:])["text"]
    assert "Đã gửi giải trình" in text
    assert stored(engine, request_id).answer == "Đã họp xong, nộp bù tuần sau"


def test_another_unit_cannot_answer_by_replaying_the_button(
    engine: Engine, transport: ByWebhook, world: World
) -> None:
    request_id = ask(engine, world)
    with unit_of_work(engine) as session:
        session.get(Assignment, world.overdue_task.id).unit_id = world.other.id
    transport.press(CHAT, f"exp:{request_id}")
    text = html.unescape(one(transport.text(CHAT, "Giải trình hộ"))["text"])
    assert "Chỉ đơn vị được giao nhiệm vụ mới giải trình được." in text
    assert stored(engine, request_id).answer is None
