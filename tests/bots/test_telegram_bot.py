"""The Telegram bot end to end: the real python-telegram-bot Application polling the fake
Bot API over HTTP, and the web app's webhook route; what the person reads, what is stored."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bots.telegram.app import build_application, file_url, process_inbox
from tests.bots.test_conversation import World, build_world, chat_link, count, fetch
from tests.fakes.telegram_api import TOKEN, FakeTelegram, Fault, running_fake_telegram
from tests.helpers import make_assignment, make_notice
from tracker.assignments.models import Assignment, ExtensionRequest, ProgressReport
from tracker.chat import inbox, linking
from tracker.cli import main
from tracker.config import TelegramSettings
from tracker.db import unit_of_work
from tracker.units.models import Unit

pytestmark = pytest.mark.bots

SECRET = "webhook-secret_123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHAT = 1001


def local_today() -> date:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram() as server:
        # One message per second per chat is checked on its own below; here it would only
        # make every step wait a second.
        server.enforce_limits = False
        yield server


@pytest.fixture
def bot_app(app: Flask, fake: FakeTelegram) -> Flask:
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = replace(
        settings,
        telegram=TelegramSettings(
            token=TOKEN,
            base_url=fake.base_url,
            bot_username="dondoc_test_bot",
            webhook_secret=SECRET,
            timeout_seconds=5.0,
        ),
    )
    return app


@pytest.fixture
def world(session: Session, bot_app: Flask) -> World:
    return build_world(session, local_today())


@contextmanager
def polling(app: Flask) -> Iterator[None]:
    """The real Application polling the fake, on its own event loop in a thread."""
    application = build_application(app)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = asyncio.Event()
    failure: list[BaseException] = []

    async def run() -> None:
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(timeout=timedelta(seconds=1))
            started.set()
            await stop.wait()
            await application.updater.stop()
            await application.stop()

    def thread_main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(run())
        except BaseException as error:
            failure.append(error)
            started.set()
        finally:
            loop.close()

    thread = threading.Thread(target=thread_main, name="telegram-polling", daemon=True)
    thread.start()
    assert started.wait(15), "the bot did not start polling"
    assert not failure, failure
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(20)
        assert not thread.is_alive(), "the bot did not stop"
        assert not failure, failure


class Transport(Protocol):
    def text(self, chat: int, text: str, expect: int = 1) -> list[dict[str, Any]]: ...

    def press(self, chat: int, data: str) -> tuple[dict[str, Any], list[dict[str, Any]]]: ...


class ByPolling:
    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    def text(self, chat: int, text: str, expect: int = 1) -> list[dict[str, Any]]:
        before = len(self.fake.sent(chat))
        self.fake.push_message(chat, text)
        self.fake.wait_for(lambda f: len(f.sent(chat)) >= before + expect)
        return self.fake.sent(chat)[before:]

    def press(self, chat: int, data: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        answered = len(self.fake.calls_to("answerCallbackQuery"))
        before = len(self.fake.sent(chat))
        self.fake.push_callback(chat, data)
        self.fake.wait_for(
            lambda f: (
                len(f.calls_to("answerCallbackQuery")) > answered and len(f.sent(chat)) > before
            )
        )
        return self.fake.calls_to("answerCallbackQuery")[-1], self.fake.sent(chat)[before:]


def drain(app: Flask) -> int:
    """What the dispatcher's inbox worker does: handle the updates the webhook stored."""
    return process_inbox(app, worker="test-inbox")


class ByWebhook:
    def __init__(self, fake: FakeTelegram, client: FlaskClient) -> None:
        self.fake, self.client = fake, client

    def post(self, update_id: int) -> None:
        response = self.client.post(
            "/telegram/webhook", json=self.fake.update_json(update_id), headers={HEADER: SECRET}
        )
        assert response.status_code == 200
        drain(self.client.application)

    def text(self, chat: int, text: str, expect: int = 1) -> list[dict[str, Any]]:
        before = len(self.fake.sent(chat))
        self.post(self.fake.push_message(chat, text))
        sent = self.fake.sent(chat)[before:]
        assert len(sent) >= expect
        return sent

    def press(self, chat: int, data: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        answered = len(self.fake.calls_to("answerCallbackQuery"))
        before = len(self.fake.sent(chat))
        self.post(self.fake.push_callback(chat, data))
        answers = self.fake.calls_to("answerCallbackQuery")
        assert len(answers) == answered + 1
        return answers[-1], self.fake.sent(chat)[before:]


@pytest.fixture(params=["polling", "webhook"])
def transport(
    request: pytest.FixtureRequest, bot_app: Flask, fake: FakeTelegram, world: World
) -> Iterator[Transport]:
    if request.param == "webhook":
        yield ByWebhook(fake, bot_app.test_client())
        return
    with polling(bot_app):
        yield ByPolling(fake)


def one(messages: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(messages) == 1, messages
    message = messages[0]
    assert message["parse_mode"] == "HTML"
    return message


def keyboard(message: dict[str, Any]) -> list[list[tuple[str, str]]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [[(button["text"], button["callback_data"]) for button in row] for row in rows]


def test_a_whole_conversation(
    transport: Transport, engine: Engine, fake: FakeTelegram, world: World
) -> None:
    today = local_today()
    open_id, overdue_id = world.open_task.id, world.overdue_task.id

    # Not linked yet: told where the code comes from.
    text = one(transport.text(CHAT, "/viec"))["text"]
    assert "Tài khoản Telegram này chưa liên kết với Đôn Đốc" in text and "/ho-so" in text

    # /start CODE, as the deep link t.me/dondoc_test_bot?start=CODE sends it.
    with unit_of_work(engine) as session:
        code = linking.issue_link_code(session, actor=world.unit_user).code
    text = one(transport.text(CHAT, f"/start {code}"))["text"]
    assert text.startswith("Xin chào <b>Người dùng unit</b> (Ban Dân vận &amp; Mặt trận &lt;huyện")
    assert chat_link(engine, str(CHAT)).user_id == world.unit_user.id

    # /viec: the list, escaped, with numbered buttons carrying the callback data.
    message = one(transport.text(CHAT, "/viec"))
    assert "Nắm tình hình &lt;dư luận&gt; &amp; báo cáo kết quả" in message["text"]
    assert message["link_preview_options"] == {"is_disabled": True}
    assert keyboard(message)[0] == [
        ("1. Hoàn thành", f"done:{overdue_id}"),
        ("1. Báo cáo %", f"pct:{overdue_id}"),
        ("1. Xin gia hạn", f"ext:{overdue_id}"),
    ]
    assert keyboard(message)[1][0] == ("2. Hoàn thành", f"done:{open_id}")

    text = one(transport.text(CHAT, "/quahan"))["text"]
    assert "Tổng kết đợt 1" in text and "dư luận" not in text

    text = one(transport.text(CHAT, "/lamgi"))["text"]
    assert text.startswith("Không có lệnh /lamgi.") and "/viec: nhiệm vụ đang mở" in text

    # "Hoàn thành": done at once, the callback query answered with a toast.
    answer, sent = transport.press(CHAT, f"done:{open_id}")
    assert answer["text"] == "Đã ghi nhận hoàn thành." and answer["callback_query_id"]
    assert "Đã ghi nhận <b>hoàn thành</b>" in one(sent)["text"]
    assert "Hoàn thành đúng hạn" in one(sent)["text"]
    assert fetch(engine, Assignment, open_id).status == "done"

    # "Báo cáo %": a question, then the answer.
    answer, sent = transport.press(CHAT, f"pct:{overdue_id}")
    assert answer["text"] == "Mời nhập câu trả lời."
    assert "Nhập tiến độ (%) và ghi chú cho nhiệm vụ 1.2, ví dụ: 60 Đã tổ chức" in one(sent)["text"]
    text = one(transport.text(CHAT, "150 Đã họp"))["text"]
    assert "Tiến độ phải từ 0 đến 100%, bạn nhập 150%" in text
    text = one(transport.text(CHAT, "60 Đã họp"))["text"]
    assert "Đã ghi nhận tiến độ <b>60%</b>" in text and "Ghi chú: Đã họp" in text
    task = fetch(engine, Assignment, overdue_id)
    assert (task.status, task.percent) == ("in_progress", 60)

    # "Xin gia hạn": a question, then the date and the reason.
    _, sent = transport.press(CHAT, f"ext:{overdue_id}")
    assert "Nhập hạn mới (dd/mm/yyyy) và lý do, ví dụ:" in one(sent)["text"]
    text = one(transport.text(CHAT, "31/02/2030 Chờ số liệu"))["text"]
    assert "Ngày 31/02/2030 không có thật" in text
    wanted = today + timedelta(days=20)
    text = one(transport.text(CHAT, f"{wanted:%d/%m/%Y} Chờ số liệu tổng hợp từ các huyện"))["text"]
    assert f"Đã gửi đề nghị gia hạn nhiệm vụ <b>1.2</b> đến <b>{wanted:%d/%m/%Y}</b>" in text
    with Session(engine) as session:
        request = session.exec(select(ExtensionRequest)).one()
    assert (request.requested_due, request.reason) == (wanted, "Chờ số liệu tổng hợp từ các huyện")

    # The work moves to another unit: the old button is refused and nothing changes.
    with unit_of_work(engine) as session:
        session.get(Assignment, overdue_id).unit_id = world.other.id
    answer, sent = transport.press(CHAT, f"done:{overdue_id}")
    assert "không thuộc đơn vị của bạn" in answer["text"]
    assert "không thuộc đơn vị của bạn" in one(sent)["text"]
    assert fetch(engine, Assignment, overdue_id).status == "in_progress"
    assert count(engine, ProgressReport) == 2

    # /huy: unlinked, with how to link again.
    text = one(transport.text(CHAT, "/huy"))["text"]
    assert "Đã hủy liên kết" in text and "/ho-so" in text
    assert not chat_link(engine, str(CHAT)).is_active
    assert all(call["text"] for call in fake.calls_to("answerCallbackQuery"))


def test_a_long_list_arrives_whole_within_telegrams_limits(
    bot_app: Flask, engine: Engine, fake: FakeTelegram, world: World
) -> None:
    """Split under 4096 characters; the fake's one-message-per-second rule answers 429 with
    retry_after, and the bot waits instead of losing a part."""
    with unit_of_work(engine) as session:
        district = session.get(Unit, world.district.id)
        extra = make_notice(session)
        for n in range(40):
            make_assignment(
                session,
                extra,
                district,
                code=f"3.{n}",
                due=local_today() + timedelta(days=5),
                text="Báo cáo <định kỳ> " * 30,
            )
        code = linking.issue_link_code(session, actor=world.unit_user).code
    fake.enforce_limits = True
    with polling(bot_app):
        transport = ByPolling(fake)
        transport.text(CHAT, f"/start {code}")
        parts = transport.text(CHAT, "/viec", expect=3)
    texts = [part["text"] for part in parts]
    assert len(texts) >= 3 and all(len(text) <= 4096 for text in texts)
    assert texts[0].startswith("<b>Nhiệm vụ đang mở")
    assert "… và 13 nhiệm vụ khác" in texts[-1]
    assert keyboard(parts[-1]) and not any(keyboard(part) for part in parts[:-1])
    assert fake.rate_limit_hits >= 1  # the limit was met, and waited out


def test_the_webhook_needs_the_secret_token(
    bot_app: Flask, fake: FakeTelegram, world: World
) -> None:
    client = bot_app.test_client()
    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    assert client.post("/telegram/webhook", json=update).status_code == 403
    wrong = {HEADER: SECRET + "x"}
    assert client.post("/telegram/webhook", json=update, headers=wrong).status_code == 403
    assert fake.sent(CHAT) == []
    bad = client.post("/telegram/webhook", data="not json", headers={HEADER: SECRET})
    assert bad.status_code == 400
    ok = client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})
    assert ok.status_code == 200
    drain(bot_app)
    assert "chưa liên kết" in fake.sent(CHAT)[0]["text"]


def test_the_webhook_is_refused_when_no_secret_is_configured(
    bot_app: Flask, fake: FakeTelegram, world: World
) -> None:
    settings = bot_app.extensions["tracker.settings"]
    bot_app.extensions["tracker.settings"] = replace(
        settings, telegram=replace(settings.telegram, webhook_secret="")
    )
    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    response = bot_app.test_client().post("/telegram/webhook", json=update, headers={HEADER: ""})
    assert response.status_code == 403
    assert fake.sent(CHAT) == []


def test_a_processed_update_is_answered_200_even_when_it_fails(
    bot_app: Flask, fake: FakeTelegram, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram repeats an update until it gets 200: a failure is logged and the person told."""

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr("bots.telegram.app.handle_text", broken)
    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    response = bot_app.test_client().post(
        "/telegram/webhook", json=update, headers={HEADER: SECRET}
    )
    assert response.status_code == 200
    drain(bot_app)
    assert "Đôn Đốc đang gặp lỗi" in fake.sent(CHAT)[0]["text"]
    assert "Traceback" not in fake.sent(CHAT)[0]["text"]


def test_group_chats_are_not_served(bot_app: Flask, fake: FakeTelegram, world: World) -> None:
    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    update["message"]["chat"] = {"id": -500, "type": "group", "title": "Ban Dân vận"}
    bot_app.test_client().post("/telegram/webhook", json=update, headers={HEADER: SECRET})
    drain(bot_app)
    assert "tin nhắn riêng" in fake.sent(-500)[0]["text"]


def test_file_url_sits_beside_the_api_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


# -- the `tracker bot` command ------------------------------------------------------------


def run_cli(app: Flask, *args: str, **env: str):  # type: ignore[no-untyped-def]
    settings = app.extensions["tracker.settings"]
    base = {
        "TRACKER_DATABASE_URL": settings.database_url,
        "TRACKER_INSTANCE_PATH": str(settings.instance_path),
        "TRACKER_ENV": "testing",
        "TRACKER_TELEGRAM_TOKEN": "",
        "TRACKER_TELEGRAM_WEBHOOK_SECRET": "",
    }
    return CliRunner().invoke(main, list(args), env=base | env)


def test_bot_command_refuses_without_a_token(app: Flask) -> None:
    result = run_cli(app, "bot")
    assert result.exit_code == 2
    assert "Thiếu TRACKER_TELEGRAM_TOKEN" in result.output
    assert "TRACKER_TELEGRAM_TOKEN is missing" in result.output


def test_bot_command_in_webhook_mode_registers_the_webhook(app: Flask, fake: FakeTelegram) -> None:
    env = {
        "TRACKER_TELEGRAM_TOKEN": TOKEN,
        "TRACKER_TELEGRAM_BASE_URL": fake.base_url,
        "TRACKER_BASE_URL": "https://dondoc.example.vn",
    }
    refused = run_cli(app, "bot", "--mode", "webhook", **env)
    assert refused.exit_code == 2 and "TRACKER_TELEGRAM_WEBHOOK_SECRET" in refused.output
    result = run_cli(app, "bot", "--mode", "webhook", **env, TRACKER_TELEGRAM_WEBHOOK_SECRET=SECRET)
    assert result.exit_code == 0, result.output
    (call,) = fake.calls_to("setWebhook")
    assert call["url"] == "https://dondoc.example.vn/telegram/webhook"
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == ["message", "callback_query"]


def test_a_repeated_webhook_update_is_handled_once(
    bot_app: Flask, fake: FakeTelegram, world: World
) -> None:
    client = bot_app.test_client()
    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    for _ in range(3):  # Telegram retrying, or someone replaying the call
        response = client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})
        assert response.status_code == 200
    assert drain(bot_app) == 1  # stored once
    # Resent after it was handled: stored again, ignored by its update_id when handled.
    client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})
    drain(bot_app)
    assert len(fake.sent(CHAT)) == 1
    # A new update from the same chat is answered as usual.
    client.post(
        "/telegram/webhook",
        json=fake.update_json(fake.push_message(CHAT, "/viec")),
        headers={HEADER: SECRET},
    )
    drain(bot_app)
    assert len(fake.sent(CHAT)) == 2


def test_a_repeated_button_press_is_handled_once(
    bot_app: Flask, fake: FakeTelegram, world: World
) -> None:
    client = bot_app.test_client()
    update = fake.update_json(fake.push_callback(CHAT, "done:1"))
    for _ in range(2):
        client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})
        drain(bot_app)
    assert len(fake.calls_to("answerCallbackQuery")) == 1


@pytest.mark.parametrize("update_id", [None, "7", -1, 2**63, True], ids=str)
def test_an_update_without_a_usable_update_id_is_refused(
    bot_app: Flask, fake: FakeTelegram, world: World, update_id: object
) -> None:
    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    update["update_id"] = update_id
    response = bot_app.test_client().post(
        "/telegram/webhook", json=update, headers={HEADER: SECRET}
    )
    assert response.status_code == 400
    assert fake.sent(CHAT) == []


@pytest.mark.serial  # a 50 ms bound needs the machine to itself
def test_the_webhook_answers_at_once_while_telegram_is_slow(
    bot_app: Flask, fake: FakeTelegram, world: World
) -> None:
    """A 5 s Bot API holds no web worker: the update is stored, the worker answers later."""
    fake.faults.extend(Fault(delay=5.0, deliver=True) for _ in range(3))
    client = bot_app.test_client()
    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})  # warm-up
    started = time.perf_counter()
    response = client.post(
        "/telegram/webhook",
        json=fake.update_json(fake.push_message(CHAT, "/quahan")),
        headers={HEADER: SECRET},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < 0.05, f"the webhook took {elapsed * 1000:.0f} ms"
    assert fake.sent(CHAT) == []  # nothing sent by the web request
    fake.faults.clear()
    assert drain(bot_app) == 2
    assert len(fake.sent(CHAT)) == 2


def test_the_dispatcher_s_inbox_worker_handles_stored_updates(
    bot_app: Flask, fake: FakeTelegram, world: World
) -> None:
    from tracker.reminders.runner import start_inbox_worker

    update = fake.update_json(fake.push_message(CHAT, "/viec"))
    bot_app.test_client().post("/telegram/webhook", json=update, headers={HEADER: SECRET})
    stop = threading.Event()
    thread = start_inbox_worker(bot_app, stop=stop, worker="w1", idle_sleep=0.05)
    try:
        fake.wait_for(lambda f: len(f.sent(CHAT)) == 1)
    finally:
        stop.set()
        thread.join(5)
    engine = bot_app.extensions["tracker.engine"]
    with Session(engine) as session:
        assert inbox.waiting(session) == 0


def test_two_workers_never_claim_the_same_update(bot_app: Flask, world: World) -> None:
    engine = bot_app.extensions["tracker.engine"]
    now = datetime.now(ZoneInfo("UTC"))
    with unit_of_work(engine) as session:
        for update_id in range(1, 6):
            inbox.store(session, update_id=update_id, payload={"update_id": update_id}, now=now)
    with unit_of_work(engine) as session:
        first = inbox.claim(session, worker="a", now=now, limit=3)
    with unit_of_work(engine) as session:
        second = inbox.claim(session, worker="b", now=now, limit=10)
    assert [i for i, _ in first] == [1, 2, 3] and [i for i, _ in second] == [4, 5]
    # A worker that died: its claims are taken over after the lease.
    with unit_of_work(engine) as session:
        later = inbox.claim(session, worker="c", now=now + inbox.LEASE * 2, limit=10)
    assert [i for i, _ in later] == [1, 2, 3, 4, 5]
