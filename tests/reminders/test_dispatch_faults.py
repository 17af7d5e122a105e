"""The dispatcher when Telegram misbehaves: 429, 5xx storms, blocked and unknown chats,
timeouts, a bad token, a sender that crashes. Nothing lost, nothing doubled."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session

from tests.fakes.telegram_api import Call, FakeTelegram, Fault
from tests.helpers import make_user
from tests.reminders.factories import dispatcher, fake_settings, queue, recipient, rows
from tracker.accounts.models import ChatLink
from tracker.config import TelegramSettings
from tracker.notify.base import Delivery, Outgoing
from tracker.reminders.dispatch import Dispatcher
from tracker.reminders.models import OutboxStatus

pytestmark = pytest.mark.bots


def _sends(fake: FakeTelegram) -> list[Call]:
    return [call for call in fake.calls if call.method == "sendMessage"]


def _delivered(fake: FakeTelegram) -> Counter[str]:
    return Counter(str(call["chat_id"]) for call in fake.sent())


@pytest.mark.serial  # measures the pause against the clock
def test_429_pauses_the_channel_for_retry_after_and_loses_nothing(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    chats = [str(1100 + n) for n in range(4)]
    for chat in chats:
        queue(session, recipient(session, chat))
    session.commit()
    fake.faults.append(
        Fault(status=429, description="Too Many Requests: retry after 2", retry_after=2)
    )

    started = time.monotonic()
    with dispatcher(engine, fake_settings(app, fake)) as sending:
        summary = sending.run_until_idle(max_seconds=20)
    elapsed = time.monotonic() - started

    assert _delivered(fake) == Counter(chats)  # every one, once
    assert (summary.sent, summary.waited, summary.retried) == (4, 1, 0)
    assert 1.9 <= elapsed < 8
    [refused] = [call for call in _sends(fake) if call.status == 429]
    refused_chat = str(refused.params["chat_id"])
    # The refused message went out again after retry_after, and nobody sent in the pause
    # (beyond what was already on its way when the 429 came back).
    after = [
        call.at - refused.at for call in fake.calls if call.status == 200 and call.at > refused.at
    ]
    assert not [gap for gap in after if 0.3 < gap < 1.9]
    again = [
        c for c in _sends(fake) if c.status == 200 and str(c.params["chat_id"]) == refused_chat
    ]
    assert again[0].at - refused.at >= 1.9
    assert {row.status for row in rows(session).values()} == {OutboxStatus.SENT}
    assert {row.attempts for row in rows(session).values()} == {1}
    assert fake.rate_limit_hits == 0


def test_a_storm_of_5xx_delivers_every_message_exactly_once(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    chats = [str(1200 + n) for n in range(10)]
    for chat in chats:
        queue(session, recipient(session, chat))
    session.commit()
    for n in range(20):
        status, text = [(500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Busy")][n % 3]
        fake.faults.append(Fault(status=status, description=text))
    settings = fake_settings(app, fake, backoff_seconds=0.01, max_attempts=10)

    with dispatcher(engine, settings) as sending:
        summary = sending.run_until_idle(max_seconds=60)

    assert _delivered(fake) == Counter(chats)
    assert not fake.faults
    assert summary.sent == 10 and summary.retried == 20 and summary.failed == 0
    found = rows(session).values()
    assert {row.status for row in found} == {OutboxStatus.SENT}
    assert sum(row.attempts for row in found) == 30
    assert all(row.last_error is None for row in found)
    assert fake.rate_limit_hits == 0


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [("blocked_chats", "blocked by the user"), ("missing_chats", "chat not found")],
)
def test_blocked_or_unknown_chats_fail_for_good_and_the_link_goes_inactive(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram, refusal: str, reason: str
) -> None:
    dead = recipient(session, 1301)
    alive = recipient(session, 1302)
    dead_message = queue(session, dead)
    queue(session, alive)
    session.commit()
    getattr(fake, refusal).add("1301")

    with dispatcher(engine, fake_settings(app, fake, backoff_seconds=0.01)) as sending:
        summary = sending.run_until_idle(max_seconds=10)
        again = sending.run_until_idle(max_seconds=1)

    assert (summary.sent, summary.failed, summary.retried) == (1, 1, 0)
    assert again.claimed == 0
    assert len(fake.calls_to("sendMessage")) == 2  # tried once, never again
    row = rows(session)[dead_message]
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert reason in (row.last_error or "").lower()
    session.expire_all()
    link = session.get(ChatLink, dead.id)
    assert link is not None and link.is_active is False and link.inactive_at is not None
    assert reason in (link.inactive_reason or "").lower()
    other = session.get(ChatLink, alive.id)
    assert other is not None and other.is_active


def test_a_timeout_after_delivery_is_unconfirmed_and_never_resent(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    slow = queue(session, recipient(session, 1401))
    session.commit()
    fake.faults.append(Fault(delay=1.5, deliver=True, chat_id="1401"))

    with dispatcher(engine, fake_settings(app, fake, timeout=0.5)) as sending:
        summary = sending.run_until_idle(max_seconds=10)
        again = sending.run_until_idle(max_seconds=1)

    assert summary.unconfirmed == 1 and again.claimed == 0
    assert len(fake.sent(1401)) == 1  # it did arrive, once
    row = rows(session)[slow]
    assert row.status == OutboxStatus.UNCONFIRMED and row.attempts == 1
    assert "timed out" in (row.last_error or "").lower()


def test_max_attempts_reached_fails_with_the_last_error(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    message_id = queue(session, recipient(session, 1501))
    session.commit()
    for n in range(5):
        fake.faults.append(Fault(status=503, description=f"Service Unavailable #{n + 1}"))
    settings = fake_settings(app, fake, backoff_seconds=0.01, max_attempts=3)

    with dispatcher(engine, settings) as sending:
        summary = sending.run_until_idle(max_seconds=20)

    assert (summary.retried, summary.failed, summary.sent) == (2, 1, 0)
    assert len(fake.calls_to("sendMessage")) == 3
    row = rows(session)[message_id]
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error == "Telegram: Service Unavailable #3"


@pytest.mark.slow
def test_a_long_message_resumes_after_the_part_that_failed(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    lines = [f"<b>{n}.</b> " + "Nhiệm vụ cần báo cáo kết quả thực hiện. " * 3 for n in range(90)]
    message_id = queue(session, recipient(session, 1601), body="\n".join(lines))
    session.commit()

    def fail_the_second_part() -> None:
        fake.wait_for(lambda server: len(server.sent(1601)) == 1)
        fake.faults.append(Fault(status=500, description="Internal Server Error"))

    injector = threading.Thread(target=fail_the_second_part)
    injector.start()
    with dispatcher(engine, fake_settings(app, fake, backoff_seconds=0.01)) as sending:
        summary = sending.run_until_idle(max_seconds=30)
    injector.join()

    texts = [part["text"] for part in fake.sent(1601)]
    assert len(texts) == len(set(texts)) == 3  # each part once, in order
    assert "\n".join(texts) == "\n".join(lines)
    assert "reply_markup" in fake.sent(1601)[-1]
    assert (summary.retried, summary.sent) == (1, 1)
    row = rows(session)[message_id]
    assert (row.status, row.parts_sent, row.attempts) == (OutboxStatus.SENT, 3, 2)


def test_a_refused_token_is_a_configuration_problem_retried_later(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    message_id = queue(session, recipient(session, 1701))
    session.commit()
    settings = fake_settings(app, fake)
    settings = type(settings)(
        **{
            **settings.__dict__,
            "telegram": TelegramSettings(token="999:WRONG", base_url=fake.base_url),
        }
    )

    with dispatcher(engine, settings) as sending:
        summary = sending.run_once()

    assert summary.retried == 1 and fake.sent() == []
    row = rows(session)[message_id]
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "token" in (row.last_error or "") and "configuration" in (row.last_error or "")
    assert "WRONG" not in (row.last_error or "")  # the token itself never reaches the page


def test_an_unreachable_server_is_retried(app: Flask, engine: Engine, session: Session) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message_id = queue(session, recipient(session, 1801))
    session.commit()
    settings = app.extensions["tracker.settings"]
    settings = type(settings)(
        **{
            **settings.__dict__,
            "telegram": TelegramSettings(
                token="1:X", base_url=f"http://127.0.0.1:{port}/bot", timeout_seconds=2
            ),
        }
    )

    with dispatcher(engine, settings) as sending:
        summary = sending.run_once()

    assert summary.retried == 1
    row = rows(session)[message_id]
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error


class _BrokenSender:
    channel = "telegram"

    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: Outgoing) -> Delivery:
        self.calls += 1
        raise ValueError(f"template exploded for message {message.message_id}")

    def close(self) -> None:
        pass


def test_run_forever_survives_a_crashing_sender(
    app: Flask, engine: Engine, session: Session
) -> None:
    message_id = queue(session, recipient(session, 1901))
    session.commit()
    sender = _BrokenSender()
    stop = threading.Event()
    errors: list[BaseException] = []
    settings = app.extensions["tracker.settings"]

    def run() -> None:
        try:
            with Dispatcher(engine, settings, {"telegram": sender}, worker="w") as sending:
                sending.run_forever(stop, idle_sleep=0.05)
        except BaseException as error:  # what the test is about: nothing escapes
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while sender.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    stop.set()
    thread.join(10)

    assert not thread.is_alive() and errors == []
    assert sender.calls == 1  # backed off, not hammered
    row = rows(session)[message_id]
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.last_error == f"ValueError: template exploded for message {message_id}"


class _RecordingSender:
    channel = "telegram"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> Delivery:
        self.sent.append(message)
        return Delivery(external_id=str(message.message_id))

    def close(self) -> None:
        pass


def test_the_sender_is_handed_the_persons_name_and_phone(
    app: Flask, engine: Engine, session: Session
) -> None:
    """A template greeting by name (Zalo's ZNS) gets it from the dispatcher: senders never read
    the people's table themselves."""
    user = make_user(session, "secretary")
    user.full_name, user.phone = "Nguyễn Thị Hoa", "0912345678"
    session.add(user)
    message_id = queue(session, recipient(session, 1902, user=user))
    session.commit()
    sender = _RecordingSender()
    settings = app.extensions["tracker.settings"]

    with Dispatcher(engine, settings, {"telegram": sender}, worker="w") as sending:
        summary = sending.run_once()

    assert summary.sent == 1
    [outgoing] = sender.sent
    assert outgoing.message_id == message_id
    assert (outgoing.recipient_name, outgoing.phone) == ("Nguyễn Thị Hoa", "0912345678")
