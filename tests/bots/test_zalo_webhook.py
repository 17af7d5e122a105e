"""The Zalo OA webhook through the Flask test client; replies reach the fake Zalo platform."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from bots.zalo import webhook
from bots.zalo.webhook import bp as zalo_bp
from tests.fakes.zalo_oa import FakeZalo, running_fake_zalo, signature, text_event
from tests.helpers import make_user
from tracker.accounts.models import ChatLink
from tracker.audit.models import AuditEvent
from tracker.chat import linking
from tracker.db import utcnow

pytestmark = pytest.mark.bots

FOLLOWER = "2468000000000000042"


@pytest.fixture
def zalo(app: Flask) -> Iterator[FakeZalo]:
    """The fake platform, and the app configured for it (the webhook blueprint registered if
    tracker/app.py does not do it yet)."""
    with running_fake_zalo() as fake:
        settings = app.extensions["tracker.settings"]
        app.extensions["tracker.settings"] = dataclasses.replace(settings, zalo=fake.settings())
        if "zalo" not in app.blueprints:
            app.register_blueprint(zalo_bp)
        yield fake


def post(
    client: FlaskClient, event: dict[str, Any], *, signed: str | None = "good"
) -> TestResponse:
    raw = json.dumps(event, ensure_ascii=False).encode()
    headers = {}
    if signed == "good":
        headers["X-ZEvent-Signature"] = signature(raw, timestamp=event["timestamp"])
    elif signed is not None:
        headers["X-ZEvent-Signature"] = signed
    # buffered: the test client closes the response, which sends the replies (as a server does).
    return client.post(
        "/zalo/webhook",
        data=raw,
        content_type="application/json",
        headers=headers,
        buffered=True,
    )


def links(session: Session) -> list[ChatLink]:
    session.expire_all()
    return list(session.exec(select(ChatLink)).all())


# -- the signature ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signed",
    [None, "", "mac=" + "0" * 64, "not-a-mac"],
    ids=["missing", "empty", "wrong", "garbage"],
)
def test_a_call_without_zalo_s_signature_is_refused_and_changes_nothing(
    client: FlaskClient, zalo: FakeZalo, session: Session, signed: str | None
) -> None:
    user = make_user(session, "head")
    code = linking.issue_link_code(session, actor=user).code
    session.commit()

    response = post(client, text_event(FOLLOWER, code), signed=signed)

    assert response.status_code == 403
    assert links(session) == []
    assert zalo.calls == []


def test_a_body_changed_after_signing_is_refused(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    event = text_event(FOLLOWER, "xin chào")
    good = signature(json.dumps(event, ensure_ascii=False).encode(), timestamp=event["timestamp"])
    event["sender"]["id"] = "someone-else"
    assert post(client, event, signed=good).status_code == 403


def test_without_an_oa_secret_every_call_is_refused(
    app: Flask, client: FlaskClient, zalo: FakeZalo
) -> None:
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = dataclasses.replace(
        settings, zalo=dataclasses.replace(settings.zalo, oa_secret="")
    )
    assert post(client, text_event(FOLLOWER, "xin chào")).status_code == 403
    assert zalo.calls == []


# -- linking ------------------------------------------------------------------------------


def test_a_follower_sending_a_valid_code_is_linked_and_told_so(
    client: FlaskClient,
    zalo: FakeZalo,
    session: Session,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user(session, "head")
    code = linking.issue_link_code(session, actor=user).code
    session.commit()
    typed = f"{code[:4]} {code[4:].lower()}"  # as typed on a phone
    committed_before_reply: list[bool] = []
    original = webhook.send_replies

    def checking(*args: Any) -> None:
        with Session(engine) as other:  # another connection sees only committed rows
            committed_before_reply.append(other.exec(select(ChatLink)).first() is not None)
        original(*args)

    monkeypatch.setattr(webhook, "send_replies", checking)

    response = post(client, text_event(FOLLOWER, typed))

    assert response.status_code == 200
    assert committed_before_reply == [True]
    [link] = links(session)
    assert (link.user_id, link.channel, link.external_id, link.is_active) == (
        user.id,
        "zalo",
        FOLLOWER,
        True,
    )
    [reply] = zalo.messages(FOLLOWER)
    assert "liên kết với Đôn Đốc" in reply and user.full_name in reply
    assert "<b>" not in reply  # plain text on Zalo
    # The code is used up: sending it again is refused with the explanation.
    post(client, text_event("another-follower", code))
    assert "Mã liên kết không đúng" in zalo.messages("another-follower")[0]


def test_a_wrong_code_gets_the_explanation_and_links_nothing(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    response = post(client, text_event(FOLLOWER, "ABCD2345"))

    assert response.status_code == 200
    assert links(session) == []
    [reply] = zalo.messages(FOLLOWER)
    assert "Mã liên kết không đúng hoặc đã hết hạn" in reply
    assert "Hồ sơ" in reply


def test_an_unlinked_follower_writing_anything_learns_how_to_link(
    client: FlaskClient, zalo: FakeZalo
) -> None:
    post(client, text_event(FOLLOWER, "Chào Đôn Đốc"))
    [reply] = zalo.messages(FOLLOWER)
    assert "chưa liên kết" in reply and "Hồ sơ cá nhân" in reply


# -- the interaction window ---------------------------------------------------------------


def _linked(session: Session, *, last: datetime | None) -> ChatLink:
    user = make_user(session, "head")
    link = ChatLink(user_id=user.id, channel="zalo", external_id=FOLLOWER, last_interaction_at=last)
    session.add(link)
    session.commit()
    return link


def _aware(moment: datetime | None) -> datetime:
    """The stored moment, which comes back aware (UtcDateTime) on both databases."""
    assert moment is not None and moment.utcoffset() == timedelta(0)
    return moment


def test_a_message_opens_the_interaction_window(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    _linked(session, last=utcnow() - timedelta(days=10))
    before = utcnow()

    assert post(client, text_event(FOLLOWER, "/viec")).status_code == 200

    [link] = links(session)
    assert _aware(link.last_interaction_at) >= before - timedelta(seconds=1)
    assert len(zalo.messages(FOLLOWER)) >= 1  # the command's answer


def test_a_sticker_opens_the_window_at_the_time_zalo_stamped_it(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    _linked(session, last=utcnow() - timedelta(days=10))
    stamped = utcnow().replace(microsecond=0) - timedelta(minutes=3)  # a retried call
    event = text_event(FOLLOWER, "", timestamp_ms=int(stamped.timestamp() * 1000))
    event["event_name"] = "user_send_sticker"
    event["message"] = {"msg_id": "m1", "attachments": [{"type": "sticker"}]}

    assert post(client, event).status_code == 200

    [link] = links(session)
    assert abs(_aware(link.last_interaction_at) - stamped) < timedelta(seconds=1)
    assert zalo.calls == []  # nothing to answer


def test_an_older_event_never_moves_the_window_back(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    recent = utcnow().replace(microsecond=0) - timedelta(minutes=1)
    _linked(session, last=recent)
    old = recent - timedelta(minutes=3)  # a retried call, still within Zalo's 5 minutes
    event = text_event(FOLLOWER, "", timestamp_ms=int(old.timestamp() * 1000))
    event["event_name"] = "user_send_image"

    post(client, event)

    [link] = links(session)
    assert abs(_aware(link.last_interaction_at) - recent) < timedelta(seconds=1)


def test_following_the_oa_opens_the_window(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    _linked(session, last=None)
    stamp = str(int(utcnow().timestamp() * 1000))
    event = {
        "app_id": "ignored",
        "event_name": "follow",
        "timestamp": stamp,
        "oa_id": "579745863508352884",
        "follower": {"id": FOLLOWER},
        "source": "testing",
    }
    assert post(client, event).status_code == 200
    [link] = links(session)
    assert link.last_interaction_at is not None


def test_unfollowing_the_oa_retires_the_link(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    link = _linked(session, last=utcnow())
    event = {
        "event_name": "unfollow",
        "timestamp": str(int(utcnow().timestamp() * 1000)),
        "follower": {"id": FOLLOWER},
    }
    assert post(client, event).status_code == 200
    [after] = links(session)
    assert after.id == link.id and after.is_active is False
    assert "bỏ quan tâm" in (after.inactive_reason or "")
    assert (
        session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "chat.link_failed")
        ).one()
        == 1
    )


def test_the_oa_s_own_messages_are_ignored(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    _linked(session, last=None)
    event = text_event(FOLLOWER, "Nhắc việc")
    event["event_name"] = "oa_send_text"
    assert post(client, event).status_code == 200
    [link] = links(session)
    assert link.last_interaction_at is None and zalo.calls == []


# -- failures -----------------------------------------------------------------------------


def test_an_error_while_handling_still_answers_200_changes_nothing_and_apologises(
    client: FlaskClient, zalo: FakeZalo, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _linked(session, last=utcnow() - timedelta(days=3))

    def broken(*_: Any, **__: Any) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr("bots.conversation.handle_text", broken)
    response = post(client, text_event(FOLLOWER, "/viec"))

    assert response.status_code == 200
    [link] = links(session)
    assert utcnow() - _aware(link.last_interaction_at) > timedelta(days=2)  # rolled back
    [reply] = zalo.messages(FOLLOWER)
    assert "lỗi hệ thống" in reply


def test_a_reply_zalo_refuses_does_not_change_the_answer(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    zalo.refresh_tokens.clear()  # the OA's grant is dead: no reply can go out
    response = post(client, text_event(FOLLOWER, "ABCD2345"))
    assert response.status_code == 200
    assert zalo.messages() == []


# -- replays ------------------------------------------------------------------------------


def _unlinking_event(stamp_ms: int) -> dict[str, Any]:
    return text_event(FOLLOWER, "/huy", timestamp_ms=stamp_ms)


def test_an_event_older_than_five_minutes_is_ignored(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    _linked(session, last=utcnow())
    old = utcnow() - timedelta(minutes=6)
    response = post(client, _unlinking_event(int(old.timestamp() * 1000)))
    assert response.status_code == 200  # answered, so Zalo does not retry it
    [link] = links(session)
    assert link.is_active  # "/huy" from six minutes ago did nothing
    assert zalo.calls == []


@pytest.mark.parametrize("stamp", ["", "soon", str(10**20)], ids=["missing", "text", "huge"])
def test_an_event_without_a_usable_timestamp_is_ignored(
    client: FlaskClient, zalo: FakeZalo, session: Session, stamp: str
) -> None:
    _linked(session, last=utcnow())
    event = _unlinking_event(0)
    event["timestamp"] = stamp
    assert post(client, event).status_code == 200
    [link] = links(session)
    assert link.is_active


def test_a_replayed_event_is_handled_once(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    first = _linked(session, last=utcnow())
    event = _unlinking_event(int(utcnow().timestamp() * 1000))
    assert post(client, event).status_code == 200
    [link] = links(session)
    assert link.is_active is False
    # The person links again; the same signed "/huy" posted again must not unlink them.
    link.is_active, link.inactive_reason, link.inactive_at = True, None, None
    session.add(link)
    session.commit()
    replies = len(zalo.calls)

    assert post(client, event).status_code == 200

    [after] = links(session)
    assert after.id == first.id and after.is_active
    assert len(zalo.calls) == replies  # and nothing answered twice


def test_a_replayed_follow_event_without_a_message_id_is_handled_once(
    client: FlaskClient, zalo: FakeZalo, session: Session
) -> None:
    _linked(session, last=None)
    event = {
        "event_name": "unfollow",
        "timestamp": str(int(utcnow().timestamp() * 1000)),
        "follower": {"id": FOLLOWER},
    }
    post(client, event)
    [link] = links(session)
    link.is_active = True
    session.add(link)
    session.commit()
    post(client, event)
    [after] = links(session)
    assert after.is_active
