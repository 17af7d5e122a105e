"""What the conversation answers with: replies, buttons, and the escaping of their texts."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date

from tracker.notify.buttons import Button, work_buttons
from tracker.notify.text import shorten
from tracker.vn_dates import vn_date

TOAST_LIMIT = 190


@dataclass(frozen=True)
class Reply:
    text: str  # Telegram HTML, already escaped
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class ButtonOutcome:
    toast: str  # plain text for answerCallbackQuery
    replies: list[Reply] = field(default_factory=list)


def esc(value: object) -> str:
    """Text from the database or the person, safe inside Telegram HTML."""
    return html.escape(str(value))


def item_buttons(assignment_id: int, *, prefix: str = "") -> tuple[Button, ...]:
    """The three buttons under an item of a numbered list (prefix: the item's number)."""
    return work_buttons(assignment_id, name=f"{prefix}. " if prefix else "", on_each=True)


def refusal(message: str) -> ButtonOutcome:
    """A button press we refuse: the reason as a toast and, in full, as a reply."""
    return ButtonOutcome(shorten(message, TOAST_LIMIT), [Reply(esc(message))])


def on_day(day: date | None) -> str:
    """The day as " ngày dd/mm/yyyy" to follow a verb, or nothing when it is unknown."""
    return f" ngày {vn_date(day)}" if day else ""
