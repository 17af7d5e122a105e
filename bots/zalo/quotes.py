"""What a follower's reply (a quoted message) is about.

Zalo has no buttons under a message; when a follower quotes one of our messages, the event
names the quoted message's id. The outbox keeps the id Zalo gave each reminder it sent
(external_id), and the reminder's items say what it was about: its assignments, or an
explanation request (an item with "explanation_request_id"). They are turned into the same
callback data a Telegram reply carries (the replied-to message's buttons), so the
conversation reads both alike.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from tracker.notify.buttons import Action, encode
from tracker.reminders.models import OutboxMessage

CHANNEL = "zalo"
# Where Zalo may put the quoted message's id in a message event.
_QUOTE_KEYS = ("quote_msg_id", "quote_message_id", "reply_msg_id")


def quoted_id(message: dict[str, Any]) -> str | None:
    """The id of the message the follower quoted, if any."""
    for key in _QUOTE_KEYS:
        value = message.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()[:128]
    quote = message.get("quote")
    if isinstance(quote, dict):
        return quoted_id({"quote_msg_id": quote.get("msg_id") or quote.get("message_id")})
    return None


def quoted_buttons(session: Session, *, follower: str, message: dict[str, Any]) -> tuple[str, ...]:
    """The callback data of what the quoted reminder was about (nothing for any other
    message, or one sent to someone else)."""
    quoted = quoted_id(message)
    if quoted is None:
        return ()
    row = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.channel == CHANNEL,
            OutboxMessage.external_id == quoted,
            OutboxMessage.address == follower,
        )
    ).first()
    if row is None:
        return ()
    buttons: list[str] = []
    for item in row.items or []:
        request_id = item.get("explanation_request_id")
        if isinstance(request_id, int):
            buttons.append(encode(Action.EXPLAIN, request_id))
        elif isinstance(item.get("assignment_id"), int) and item.get("actionable", True):
            buttons.append(encode(Action.DONE, item["assignment_id"]))
    return tuple(dict.fromkeys(buttons))
