"""What every channel sender (Telegram, Zalo, e-mail) takes and how it reports failure.

The dispatcher decides what a failure means for the outbox row; the sender only says which
kind it was. Each sender raises exactly one of these for anything that went wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Outgoing:
    """One outbox row, as a sender needs it."""

    message_id: int
    channel: str
    address: str
    subject: str
    # Telegram's HTML subset (<b>, <i>, <a>), already escaped; other channels strip the tags.
    body: str
    # The digest's items: {"assignment_id", "rule", "code", "actionable", ...}.
    items: list[dict[str, Any]] = field(default_factory=list)
    # Parts of a long message already delivered by an earlier attempt.
    parts_sent: int = 0
    phone: str | None = None
    last_interaction_at: datetime | None = None
    # Called with the number of parts delivered so far after each part that is followed by
    # another: the dispatcher commits it, so a crash resumes after the last delivered part.
    # It raises a DeliveryError (ClaimLost: stop sending) when the count cannot be kept.
    on_part: Callable[[int], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Delivery:
    external_id: str | None
    parts_sent: int = 1


class DeliveryError(Exception):
    """Base: `reason` is what the admin page shows; `parts_sent` what got through first."""

    def __init__(self, reason: str, *, parts_sent: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.parts_sent = parts_sent


class TemporaryFailure(DeliveryError):
    """Try again later, with back-off (network down, 5xx, the channel busy)."""


class RateLimitedByChannel(TemporaryFailure):
    """The channel asked us to wait `retry_after` seconds; not the message's fault."""

    def __init__(self, reason: str, *, retry_after: float, parts_sent: int = 0) -> None:
        super().__init__(reason, parts_sent=parts_sent)
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """Never retried. `link_is_dead`: the person blocked us or the account is gone, so their
    chat link is marked inactive and the admin sees it."""

    def __init__(self, reason: str, *, link_is_dead: bool = False, parts_sent: int = 0) -> None:
        super().__init__(reason, parts_sent=parts_sent)
        self.link_is_dead = link_is_dead


class MaybeDelivered(DeliveryError):
    """The channel timed out after we sent: it may have arrived, so it is not sent again."""


class ClaimLost(DeliveryError):
    """The row is no longer this dispatcher's (another one took it over, or an admin changed
    it): the sender stops before the next part and nothing is recorded."""


class Sender(Protocol):
    channel: str

    def send(self, message: Outgoing) -> Delivery:
        """Deliver `message` (its parts from `parts_sent` on) or raise a DeliveryError."""
        ...

    def close(self) -> None: ...
