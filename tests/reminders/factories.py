"""Factories for the dispatcher tests: linked recipients, queued digests, settings that point
the real Telegram client at the fake Bot API, and a dispatcher to run."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.helpers import make_user
from tracker.accounts.models import ChatLink, User
from tracker.config import Settings, TelegramSettings
from tracker.notify.telegram import TelegramSender
from tracker.reminders import outbox
from tracker.reminders.dispatch import Dispatcher
from tracker.reminders.models import OutboxMessage

DAY = date(2026, 3, 2)
_numbers = itertools.count(1)


def recipient(
    session: Session, chat_id: int | str, channel: str = "telegram", *, user: User | None = None
) -> ChatLink:
    """A person (new unless given; making one hashes a password, which is slow) whose chat
    `chat_id` is linked."""
    user = user or make_user(session, "secretary")
    link = ChatLink(user_id=user.id, channel=channel, external_id=str(chat_id))
    session.add(link)
    session.flush()
    return link


def queue(
    session: Session,
    link: ChatLink,
    *,
    body: str = "<b>Nhắc việc</b>\nNhiệm vụ 1.1 đến hạn ngày 09/03/2026",
    items: list[dict[str, Any]] | None = None,
    channel: str | None = None,
) -> int:
    """One pending digest for `link`'s person; returns its id."""
    number = next(_numbers)
    items = (
        items
        if items is not None
        else [{"assignment_id": number, "rule": "before_due", "code": "1.1", "actionable": True}]
    )
    covers = outbox.covers_key([(number, "before_due")])
    outbox.enqueue(
        session,
        [
            {
                "user_id": link.user_id,
                "channel": channel or link.channel,
                "day": DAY,
                "covers": covers,
                "address": link.external_id,
                "chat_link_id": link.id,
                "body": body,
                "items": items,
            }
        ],
    )
    return session.exec(select(OutboxMessage.id).where(OutboxMessage.covers == covers)).one()


def fake_settings(
    app: Flask, fake: FakeTelegram, *, timeout: float = 5.0, **reminders: Any
) -> Settings:
    """The app's settings with Telegram pointed at `fake`, and `reminders` overridden."""
    settings: Settings = app.extensions["tracker.settings"]
    return dataclasses.replace(
        settings,
        telegram=TelegramSettings(token=TOKEN, base_url=fake.base_url, timeout_seconds=timeout),
        reminders=dataclasses.replace(settings.reminders, **reminders),
    )


def dispatcher(
    engine: Engine, settings: Settings, *, worker: str = "test-1", **options: Any
) -> Dispatcher:
    """A dispatcher with the real Telegram sender only (close it, or use it in `with`);
    `options` go to Dispatcher (lease, heartbeat, ...)."""
    sender = TelegramSender(
        settings.telegram, per_chat_seconds=settings.reminders.telegram_per_chat_seconds
    )
    return Dispatcher(engine, settings, {"telegram": sender}, worker=worker, **options)


def rows(session: Session) -> dict[int, OutboxMessage]:
    """Every outbox row by id, read afresh from the database."""
    session.expire_all()
    return {row.id: row for row in session.exec(select(OutboxMessage)).all()}  # type: ignore[misc]
