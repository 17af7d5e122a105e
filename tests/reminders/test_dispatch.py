"""The dispatcher against the fake Bot API, with the real python-telegram-bot client."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session

from tests.fakes.telegram_api import FakeTelegram
from tests.reminders.factories import dispatcher, fake_settings, queue, recipient, rows
from tracker.accounts.models import User
from tracker.db import utcnow
from tracker.notify.pacing import Pacer
from tracker.reminders.models import OutboxStatus

pytestmark = pytest.mark.bots


def test_a_digest_reaches_its_chat_with_the_buttons(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    link = recipient(session, 5001)
    other = recipient(session, 5002)
    items = [
        {"assignment_id": 41, "rule": "before_due", "code": "1.1", "actionable": True},
        {"assignment_id": 42, "rule": "overdue", "code": "2.3", "actionable": True},
        {"assignment_id": 43, "rule": "escalation", "code": "4", "actionable": False},
    ]
    message_id = queue(session, link, items=items)
    queue(session, other, items=[])
    session.commit()

    with dispatcher(engine, fake_settings(app, fake)) as sending:
        summary = sending.run_once()

    assert (summary.claimed, summary.sent) == (2, 2)
    [sent] = fake.sent(5001)
    assert sent["parse_mode"] == "HTML"
    assert sent["text"].startswith("<b>Nhắc việc</b>")
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [
        ["1.1 · Hoàn thành", "Báo cáo %", "Xin gia hạn"],
        ["2.3 · Hoàn thành", "Báo cáo %", "Xin gia hạn"],
    ]
    assert [[button["callback_data"] for button in row] for row in keyboard] == [
        ["done:41", "pct:41", "ext:41"],
        ["done:42", "pct:42", "ext:42"],
    ]
    assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard for b in row)
    # Nothing actionable: no keyboard at all.
    [plain] = fake.sent(5002)
    assert "reply_markup" not in plain
    row = rows(session)[message_id]
    assert row.status == OutboxStatus.SENT
    assert row.sent_at is not None and row.external_id and row.parts_sent == 1
    assert row.claimed_by == "test-1" and row.last_error is None


def test_a_long_body_arrives_in_parts_each_once_with_buttons_on_the_last(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    link = recipient(session, 6001)
    lines: list[str] = []
    while sum(len(line) + 1 for line in lines) < 9000:
        n = len(lines) + 1
        lines.append(f"<b>{n}.</b> Nhiệm vụ số {n}: " + "báo cáo tiến độ " * 6)
    body = "\n".join(lines)
    message_id = queue(session, link, body=body)
    session.commit()

    with dispatcher(engine, fake_settings(app, fake)) as sending:
        summary = sending.run_until_idle(max_seconds=30)

    assert summary.sent == 1
    parts = fake.sent(6001)
    assert len(parts) == 3
    assert all(len(part["text"]) < 4096 for part in parts)
    assert "\n".join(part["text"] for part in parts) == body
    assert [("reply_markup" in part) for part in parts] == [False, False, True]
    assert fake.rate_limit_hits == 0  # the parts were a second apart
    row = rows(session)[message_id]
    assert (row.status, row.parts_sent) == (OutboxStatus.SENT, 3)


def test_sent_rows_are_not_sent_again(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    links = [recipient(session, 7000 + n) for n in range(5)]
    for link in links:
        queue(session, link)
    session.commit()

    with dispatcher(engine, fake_settings(app, fake)) as sending:
        first = sending.run_until_idle(max_seconds=10)
        second = sending.run_once()
        third = sending.run_until_idle(max_seconds=2)

    assert first.sent == 5
    assert second.claimed == 0 and third.claimed == 0
    assert sorted(int(call["chat_id"]) for call in fake.sent()) == [7000 + n for n in range(5)]
    assert {row.status for row in rows(session).values()} == {OutboxStatus.SENT}


def test_run_until_idle_leaves_later_retries_for_the_next_run(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    later = queue(session, recipient(session, 7101))
    session.commit()
    row = rows(session)[later]
    row.next_attempt_at = utcnow() + timedelta(minutes=5)
    session.add(row)
    session.commit()

    started = time.monotonic()
    with dispatcher(engine, fake_settings(app, fake)) as sending:
        summary = sending.run_until_idle(linger=60)
    assert summary.claimed == 0 and time.monotonic() - started < 5
    assert rows(session)[later].status == OutboxStatus.PENDING


def test_a_channel_without_a_sender_waits_instead_of_failing(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    link = recipient(session, "zalo-follower-1", channel="zalo")
    message_id = queue(session, link)
    session.commit()

    with dispatcher(engine, fake_settings(app, fake)) as sending:
        summary = sending.run_until_idle(max_seconds=5)

    assert (summary.claimed, summary.deferred, summary.failed) == (1, 1, 0)
    row = rows(session)[message_id]
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert "zalo" in (row.last_error or "") and "not configured" in (row.last_error or "")
    assert row.next_attempt_at > row.claimed_at  # type: ignore[arg-type]


def test_an_unlinked_or_disabled_recipient_gets_nothing(
    app: Flask, engine: Engine, session: Session, fake: FakeTelegram
) -> None:
    unlinked = recipient(session, 8001)
    disabled = recipient(session, 8002)
    first = queue(session, unlinked)
    second = queue(session, disabled)
    unlinked.is_active, unlinked.inactive_reason = False, "Người dùng hủy liên kết"
    session.add(unlinked)
    user = session.get(User, disabled.user_id)
    assert user is not None
    user.is_active = False
    session.add(user)
    session.commit()

    with dispatcher(engine, fake_settings(app, fake)) as sending:
        summary = sending.run_once()

    assert summary.failed == 2 and fake.sent() == []
    found = rows(session)
    assert found[first].status == found[second].status == OutboxStatus.FAILED
    assert "hủy liên kết" in (found[first].last_error or "")


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_pacer_spaces_requests_evenly_and_counts_the_slow_ones() -> None:
    clock = _Clock()
    pacer = Pacer(per_second=4, per_chat_seconds=1.0, clock=clock)
    assert pacer.next_slot("a") == 0
    assert pacer.next_slot("b") == pytest.approx(0.25)
    clock.now += 0.25
    assert pacer.next_slot("b") == 0
    # One chat waits for its last request to finish, then per_chat_seconds more.
    clock.now += 5
    assert pacer.next_slot("a") > 0
    pacer.done("a")
    assert pacer.next_slot("a") == pytest.approx(1.0)
    # At most per_second + 1 requests in flight or finished within the last second, however
    # long the requests take: slow ones hold the rate down rather than bunch up.
    clock.now += 1.0  # a's finish is a second old now
    for chat in "cdef":
        clock.now += 0.25
        assert pacer.next_slot(chat) == 0
    clock.now += 5
    assert pacer.next_slot("g") > 0  # b to f: five in flight
    for chat in "bcdef":
        pacer.done(chat)
    assert pacer.next_slot("g") == pytest.approx(1.0)
    clock.now += 1.0
    assert pacer.next_slot("g") == 0


def test_the_pacer_pauses_everyone() -> None:
    clock = _Clock()
    pacer = Pacer(per_second=None, clock=clock)
    assert pacer.next_slot("a") == 0 and pacer.next_slot("b") == 0
    pacer.pause(2)
    assert pacer.next_slot("c") == pytest.approx(1.0)  # asks again within a second
    clock.now += 2
    assert pacer.next_slot("c") == 0
