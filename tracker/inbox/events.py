"""What goes into the inbox, and when: each event becomes outbox rows on the "web" channel
(and, for an explanation request, on the person's chat channels), in the transaction of the
change that caused it. A rolled-back change leaves no row, so no entry.

Every row has a natural key made from the event itself (the outbox's uniqueness on person,
channel, kind, day and `covers`): telling the same event twice — the service and the planning
sweep, or planning run twice — inserts nothing the second time. `day` is the UTC date of the
event, so any run computes the same key. Flushes, never commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from tracker.accounts.models import Role
from tracker.config import Settings
from tracker.db import utcnow
from tracker.inbox.models import Topic
from tracker.notify.channels import Channel
from tracker.reminders import outbox
from tracker.reminders.models import MessageKind
from tracker.reminders.recipients import usable_links

# Paths on this site, as the views route them (checked by a test).
ASSIGNMENT_PATH = "/nhiem-vu/"
EXPLANATION_PATH = "/giai-trinh/"
EXTENSIONS_PATH = "/gia-han"
UNIT_LIST_PATH = "/don-vi"

_user = SQLModel.metadata.tables["user_account"]


def covers(key: str) -> str:
    """The outbox's 64-character `covers` for one event."""
    return hashlib.sha256(key.encode()).hexdigest()


def utc_day(moment: datetime | None) -> date:
    """The day an event's rows are filed under: its UTC date, the same from any run (SQLite
    hands timestamps back naive; they are UTC)."""
    moment = moment or utcnow()
    return moment.astimezone(UTC).date() if moment.tzinfo is not None else moment.date()


def web_row(
    *,
    user_id: int,
    key: str,
    day: date,
    topic: Topic,
    params: Mapping[str, Any],
    link: str,
    subject: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One outbox row that the web sender turns into an inbox entry for `user_id`."""
    return {
        "user_id": user_id,
        "channel": Channel.WEB,
        "kind": MessageKind.EVENT,
        "day": day,
        "covers": covers(key),
        "address": str(user_id),
        "subject": subject[:255],
        "body": subject,
        "items": [{"topic": str(topic), "params": dict(params), "link": link}],
        "next_attempt_at": now or utcnow(),
    }


def enqueue_web(
    session: Session,
    *,
    recipients: Iterable[int],
    key: str,
    moment: datetime | None,
    topic: Topic,
    params: Mapping[str, Any],
    link: str,
) -> int:
    """One inbox entry per recipient for one event; returns how many rows were new."""
    from tracker.inbox.wording import vietnamese

    subject = vietnamese(topic, params)
    day = utc_day(moment)
    rows = [
        web_row(
            user_id=user_id,
            key=key,
            day=day,
            topic=topic,
            params=params,
            link=link,
            subject=subject,
        )
        for user_id in dict.fromkeys(recipients)
    ]
    return outbox.enqueue(session, rows)


# -- who hears ------------------------------------------------------------------------------


def unit_people(session: Session, unit_ids: Iterable[int]) -> dict[int, int]:
    """user id -> unit id, for the active unit accounts of `unit_ids`."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return {}
    rows = session.connection().execute(
        select(_user.c.id, _user.c.unit_id).where(
            _user.c.is_active.is_(True),
            _user.c.role == Role.UNIT,
            _user.c.unit_id.in_(wanted),
        )
    )
    return {user_id: unit_id for user_id, unit_id in rows}


def secretaries(session: Session) -> list[int]:
    """The active secretaries: they follow the reports and decide the extensions."""
    return list(
        session.connection()
        .execute(
            select(_user.c.id)
            .where(_user.c.is_active.is_(True), _user.c.role == Role.SECRETARY)
            .order_by(_user.c.id)
        )
        .scalars()
    )


def is_active(session: Session, user_id: int | None) -> bool:
    if user_id is None:
        return False
    found = (
        session.connection()
        .execute(select(_user.c.is_active).where(_user.c.id == user_id))
        .scalar_one_or_none()
    )
    return bool(found)


def settings() -> Settings | None:
    """The application's settings; None outside an application (a service called from a
    script), where no chat channel is known."""
    if has_app_context():
        return current_app.extensions["tracker.settings"]
    return None


def chat_rows(
    session: Session,
    *,
    recipients: Sequence[int],
    key: str,
    moment: datetime | None,
    subject: str,
    body_for: Any,
) -> list[dict[str, Any]]:
    """Outbox rows for the recipients' linked chats (Telegram, Zalo) for one event;
    `body_for(channel)` is the message's text."""
    config = settings()
    if config is None:
        return []
    links = usable_links(session.connection(), config)
    day = utc_day(moment)
    rows = []
    for user_id in dict.fromkeys(recipients):
        for channel, address, chat_link_id in links.get(user_id, []):
            rows.append(
                {
                    "user_id": user_id,
                    "channel": channel,
                    "kind": MessageKind.EVENT,
                    "day": day,
                    "covers": covers(key),
                    "address": address,
                    "chat_link_id": chat_link_id,
                    "subject": subject[:255],
                    "body": body_for(channel, config.base_url),
                    "items": [],
                    "next_attempt_at": utcnow(),
                }
            )
    return rows
