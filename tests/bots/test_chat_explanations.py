"""Explanation requests answered from Telegram (the webhook route, the fake Bot API): the
button then the text, or a reply to the request's message; the answer shows on the web."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session

from tests.bots import test_telegram_bot as telegram_tests
from tests.bots import test_zalo_webhook as zalo_tests
from tests.bots.test_conversation import World, build_world
from tests.bots.test_telegram_bot import CHAT, ByWebhook, keyboard, local_today, one
from tests.bots.test_zalo_webhook import FOLLOWER
from tests.bots.test_zalo_webhook import post as zalo_post
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_oa import FakeZalo, text_event
from tests.helpers import login_as
from tracker.assignments.models import Assignment
from tracker.chat import linking
from tracker.db import unit_of_work
from tracker.notify.telegram import keyboard as keyboard_for
from tracker.reminders.models import OutboxMessage
from tracker.rollups.models import ExplanationRequest

pytestmark = pytest.mark.bots

fake = telegram_tests.fake
bot_app = telegram_tests.bot_app
world = telegram_tests.world
zalo = zalo_tests.zalo


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


def pushed(fake: FakeTelegram, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A message the dispatcher sent about explanation requests, with the sender's buttons."""
    markup = keyboard_for(items)
    assert markup is not None
    return {"chat_id": CHAT, "text": "Yêu cầu giải trình", "reply_markup": markup.to_dict()}


def test_a_reply_to_a_pushed_request_answers_it(
    bot_app: Flask, engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    request_id = ask(engine, world)
    message = pushed(
        fake,
        [
            {"assignment_id": world.overdue_task.id, "code": "1.2", "actionable": True},
            {"explanation_request_id": request_id, "code": "1.2"},
        ],
    )
    # The request's button is on the message, beside the assignment's own buttons.
    assert message["reply_markup"]["inline_keyboard"][1] == [
        {"text": "1.2 · Giải trình", "callback_data": f"exp:{request_id}"}
    ]
    before = len(fake.sent(CHAT))
    transport.post(fake.push_message(CHAT, "Đã có số liệu, nộp ngày 20/12", reply_to=message))
    assert "Đã gửi giải trình" in one(fake.sent(CHAT)[before:])["text"]
    assert stored(engine, request_id).answer == "Đã có số liệu, nộp ngày 20/12"
    web = bot_app.test_client()
    login_as(web, "huyen")
    page = html.unescape(web.get(f"/nhiem-vu/{world.overdue_task.id}").get_data(as_text=True))
    assert "Đã có số liệu, nộp ngày 20/12" in page


def test_a_reply_to_a_message_naming_two_requests_asks_which_and_answers_none(
    engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    first = ask(engine, world)
    second = ask(engine, world, "Vì sao chưa gửi biên bản?")
    message = pushed(
        fake,
        [
            {"explanation_request_id": first, "code": "1.2"},
            {"explanation_request_id": second, "code": "1.2"},
        ],
    )
    before = len(fake.sent(CHAT))
    transport.post(fake.push_message(CHAT, "Trả lời chung", reply_to=message))
    text = html.unescape(one(fake.sent(CHAT)[before:])["text"])
    assert "Tin bạn trả lời có 2 yêu cầu giải trình" in text and "chưa được ghi nhận" in text
    assert stored(engine, first).answer is None and stored(engine, second).answer is None


# -- Zalo: a reply quoting the pushed request ----------------------------------------------


def test_a_zalo_reply_quoting_the_request_s_message_answers_it(
    app: Flask, client: Any, engine: Engine, session: Session, zalo: FakeZalo
) -> None:
    world = build_world(session, local_today())
    session.commit()
    with unit_of_work(engine) as s:
        code = linking.issue_link_code(s, actor=world.unit_user).code
    zalo_post(client, text_event(FOLLOWER, code))
    request_id = ask(engine, world)
    with unit_of_work(engine) as s:
        s.add(
            OutboxMessage(
                user_id=world.unit_user.id or 0,
                channel="zalo",
                day=local_today(),
                covers="explanation",
                address=FOLLOWER,
                body="Yêu cầu giải trình",
                items=[{"explanation_request_id": request_id, "code": "1.2"}],
                status="sent",
                external_id="00000077cs",
            )
        )
    event = text_event(FOLLOWER, "Chờ số liệu của xã, xong trước 20/12")
    event["message"]["quote_msg_id"] = "00000077cs"
    assert zalo_post(client, event).status_code == 200
    assert "Đã gửi giải trình cho nhiệm vụ 1.2" in zalo.messages(FOLLOWER)[-1]
    assert stored(engine, request_id).answer == "Chờ số liệu của xã, xong trước 20/12"


def test_in_zalo_the_list_says_how_to_answer_and_the_command_answers(
    app: Flask, client: Any, engine: Engine, session: Session, zalo: FakeZalo
) -> None:
    world = build_world(session, local_today())
    session.commit()
    with unit_of_work(engine) as s:
        code = linking.issue_link_code(s, actor=world.unit_user).code
    zalo_post(client, text_event(FOLLOWER, code))
    request_id = ask(engine, world)

    zalo_post(client, text_event(FOLLOWER, "/giaitrinh"))
    listing = zalo.messages(FOLLOWER)[-1]
    assert f"1.2 Tổng kết đợt 1 (mã yêu cầu {request_id})" in listing
    assert "Trả lời bằng: /giaitrinh mã-yêu-cầu nội dung" in listing
    assert "Bấm nút" not in listing  # Zalo has no buttons

    zalo_post(client, text_event(FOLLOWER, f"/giaitrinh {request_id}"))
    assert "Gõ /giaitrinh, dấu cách, mã yêu cầu" in zalo.messages(FOLLOWER)[-1]
    assert stored(engine, request_id).answer is None

    zalo_post(client, text_event(FOLLOWER, f"/giaitrinh {request_id} Chờ số liệu của 3 xã"))
    assert "Đã gửi giải trình cho nhiệm vụ 1.2" in zalo.messages(FOLLOWER)[-1]
    assert stored(engine, request_id).answer == "Chờ số liệu của 3 xã"


def test_the_command_cannot_answer_another_unit_s_request(
    engine: Engine, transport: ByWebhook, world: World
) -> None:
    request_id = ask(engine, world)
    with unit_of_work(engine) as session:
        session.get_one(Assignment, world.overdue_task.id).unit_id = world.other.id or 0
    text = html.unescape(
        one(transport.text(CHAT, f"/giaitrinh {request_id} Giải trình hộ"))["text"]
    )
    assert "Chỉ đơn vị được giao nhiệm vụ mới giải trình được." in text
    assert stored(engine, request_id).answer is None
