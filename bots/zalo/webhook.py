"""The Zalo OA webhook: Zalo posts every follower event here.

Zalo signs each call with X-ZEvent-Signature: "mac=" + sha256(app_id + raw body + timestamp +
OA secret key); anything else is refused with 403. A signed call is answered 200 at once
(Zalo expects an answer within 2 seconds and retries otherwise): the event runs in the
request's unit of work, and the replies go out through the OA API only after the response,
so after that unit of work has committed.

An event stamped more than 5 minutes away from now, or seen already (its message id, or the
fingerprint of its signed body, is kept for two days: tracker/chat/webhook_events.py), is
answered 200 and ignored: a replayed "/huy" does nothing the second time.

A follower's event opens Zalo's interaction window (consultation messages are allowed for 7
days after it): the link's last_interaction_at records it. Texts go to the same conversation
as Telegram (bots.conversation): a link code links the follower, commands list work; images
and files become evidence (bots/zalo/files.py fetches them from the attachment URLs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col
from werkzeug.wrappers import Response

from bots.zalo.files import FILE_EVENTS, fetch_files
from bots.zalo.quotes import quoted_buttons
from tracker import request_db
from tracker.accounts.models import ChatLink
from tracker.assignments.evidence import store_for
from tracker.chat import linking, webhook_events
from tracker.config import Settings, ZaloSettings
from tracker.db import utcnow
from tracker.extensions import csrf
from tracker.notify.base import DeliveryError
from tracker.notify.buttons import assignments_named
from tracker.notify.zalo import ZaloSender
from tracker.tables import saved_id

log = logging.getLogger(__name__)

bp = Blueprint("zalo", __name__, url_prefix="/zalo")

CHANNEL = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
# Follower actions Zalo counts as an interaction (they open the consultation window).
INTERACTIONS = {
    "follow",
    "user_click_chatnow",
    "user_reacted_message",
    "user_submit_info",
    "user_asking_product",
}
APOLOGY = "Đôn Đốc chưa xử lý được tin nhắn này do lỗi hệ thống. Vui lòng thử lại sau ít phút."
UNFOLLOWED = "Người dùng đã bỏ quan tâm OA Zalo"


@bp.post("/webhook")
@csrf.exempt  # Zalo proves itself with the signature, not a CSRF token.
def webhook() -> Response | tuple[Response, int]:
    settings: Settings = current_app.extensions["tracker.settings"]
    raw = request.get_data(cache=False)
    payload = verified_payload(settings.zalo, raw, request.headers.get(SIGNATURE_HEADER))
    if payload is None:
        log.warning("Zalo webhook call refused: missing or wrong signature")
        return jsonify(ok=False), 403
    session = request_db.db()
    now = utcnow()
    stamped = _stamped_at(payload)
    if stamped is None or abs(now - stamped) > webhook_events.MAX_ZALO_EVENT_AGE:
        log.warning("Zalo webhook event ignored: stamped %s, now %s", stamped, now)
        return jsonify(ok=True, ignored="stale")
    try:
        # The sighting commits with the event's change, or neither does.
        with request_db.change():
            if not webhook_events.first_sighting(
                session, channel=CHANNEL, event_id=_event_id(payload, raw), now=now
            ):
                log.info("Zalo webhook event ignored: seen already")
                return jsonify(ok=True, ignored="repeat")
            replies = handle_event(session, payload=payload, settings=settings, now=now)
    except Exception:
        # Answered 200 anyway: Zalo would only retry the same event into the same error.
        log.exception("Zalo webhook event %r failed", payload.get("event_name"))
        follower = _follower_id(str(payload.get("event_name") or ""), payload)
        replies = [(follower, APOLOGY)] if follower else []
    response = jsonify(ok=True)
    if replies:
        # Runs once the response is sent, so after the event's change committed above.
        response.call_on_close(partial(send_replies, settings, request_db.engine(), replies))
    return response


def verified_payload(
    settings: ZaloSettings, raw: bytes, signature: str | None
) -> dict[str, Any] | None:
    """The event, if Zalo signed it with this OA's secret; None otherwise."""
    if not (settings.oa_secret and settings.app_id and signature):
        return None
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(payload, dict):
        return None
    timestamp = str(payload.get("timestamp") or "")
    digest = hashlib.sha256(
        settings.app_id.encode() + raw + timestamp.encode() + settings.oa_secret.encode()
    ).hexdigest()
    if not hmac.compare_digest(signature.strip().lower().encode(), f"mac={digest}".encode()):
        return None
    return payload


def handle_event(
    session: Session, *, payload: dict[str, Any], settings: Settings, now: datetime
) -> list[tuple[str, str]]:
    """Apply one follower event; the (follower id, Telegram-HTML text) replies to send."""
    event = str(payload.get("event_name") or "")
    follower = _follower_id(event, payload)
    if not follower:
        return []
    if event == "unfollow":
        found = linking.active_link(session, channel=CHANNEL, external_id=follower)
        if found is not None:
            linking.mark_link_dead(
                session, chat_link_id=saved_id(found[0]), reason=UNFOLLOWED, now=now
            )
        return []
    if not (event.startswith("user_send_") or event in INTERACTIONS):
        return []
    _touch(session, follower, _event_time(payload, now))
    from bots.conversation import handle_files, handle_text

    found = payload.get("message")
    message: dict[str, Any] = found if isinstance(found, dict) else {}
    # A quoted reminder says what the reply is about (bots/zalo/quotes.py).
    quoted = quoted_buttons(session, follower=follower, message=message)
    if event in FILE_EVENTS:
        incoming = fetch_files(message, store_for(settings))
        incoming = dataclasses.replace(incoming, about=assignments_named(quoted))
        replies = handle_files(
            session,
            channel=CHANNEL,
            external_id=follower,
            incoming=incoming,
            now=now,
            settings=settings,
        )
        session.flush()
        return [(follower, reply.text) for reply in replies]
    if event != "user_send_text":
        return []
    text = str(message.get("text") or "").strip()
    if not text:
        return []
    replies = handle_text(
        session,
        channel=CHANNEL,
        external_id=follower,
        text=text,
        now=now,
        settings=settings,
        reply_buttons=quoted,
    )
    session.flush()
    return [(follower, reply.text) for reply in replies]


def send_replies(settings: Settings, engine: Engine, replies: list[tuple[str, str]]) -> None:
    """Send the webhook's answers as consultation messages (the follower just wrote, so the
    interaction window is open)."""
    sender = ZaloSender(settings.zalo, engine, timezone=settings.timezone)
    try:
        for follower, body in replies:
            try:
                sender.send_html(follower, body)
            except DeliveryError as error:
                log.warning("Zalo reply to %s not sent: %s", follower, error.reason)
    except Exception:
        log.exception("Zalo replies failed")
    finally:
        sender.close()


def _follower_id(event: str, payload: dict[str, Any]) -> str:
    # "follow"/"unfollow" name the person `follower`; messages name them `sender`.
    who = payload.get("follower") if event in {"follow", "unfollow"} else payload.get("sender")
    return str((who or {}).get("id") or "") if isinstance(who, dict) else ""


def _touch(session: Session, follower: str, at: datetime) -> None:
    """The follower interacted at `at`: Zalo's window runs from there (never moved back)."""
    session.execute(
        update(ChatLink)
        .where(
            col(ChatLink.channel) == CHANNEL,
            col(ChatLink.external_id) == follower,
            or_(
                col(ChatLink.last_interaction_at).is_(None),
                col(ChatLink.last_interaction_at) < at,
            ),
        )
        .values(last_interaction_at=at)
    )


def _event_time(payload: dict[str, Any], now: datetime) -> datetime:
    """When the follower acted (Zalo's timestamp, in ms): a retried call arrives later."""
    at = _stamped_at(payload)
    return now if at is None else min(at, now)


def _stamped_at(payload: dict[str, Any]) -> datetime | None:
    """Zalo's timestamp of the event (milliseconds, signed with the body), or None."""
    text = str(payload.get("timestamp") or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 15):
        return None
    try:
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _event_id(payload: dict[str, Any], raw: bytes) -> str:
    """Zalo's message id when the event has one (the same in a retried call), else the
    fingerprint of the signed body."""
    message = payload.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    if isinstance(msg_id, str | int) and str(msg_id).strip():
        event = str(payload.get("event_name") or "")[:40]
        return f"{event}:{str(msg_id).strip()}"[:128]
    return webhook_events.fingerprint(raw)
