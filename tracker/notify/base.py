"""What every channel sender (Telegram, Zalo, e-mail) takes and how it reports failure.

The dispatcher decides what a failure means for the outbox row; the sender only says which
kind it was. Each sender raises exactly one of these for anything that went wrong, and is
safe to call from several threads at once (the contract is on `Sender`).
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
    # The person's name, for channels whose templates greet by name (Zalo's ZNS).
    recipient_name: str | None = None
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
    """A channel's sender, as the dispatcher uses it.

    Threads: one sender serves the dispatcher's whole thread pool, so `send` is called from up
    to `Dispatcher.concurrency` threads at once (one address's messages always from one thread,
    in order). Every sender must be safe under that: no connection, buffer or other per-call
    state shared between threads without a lock (the e-mail sender keeps a connection per
    thread; Telegram's runs on its own event loop; Zalo's httpx client is thread-safe and its
    token refresh is serialised). `warm_up`, where a sender has one, may run alongside sends.
    `close` is called once, after every `send` has returned.

    Outcome: `send` returns a Delivery only when the channel accepted the message. Anything
    else leaves as exactly one DeliveryError: TemporaryFailure when nothing can have left (a
    retry cannot duplicate it), MaybeDelivered when the outcome is unknown (the request went
    out and no clear answer came back: never retried, never reported as sent), PermanentFailure
    when the channel refused for good. No other exception escapes, whatever goes wrong.
    """

    channel: str

    def send(self, message: Outgoing) -> Delivery:
        """Deliver `message` (its parts from `parts_sent` on) or raise a DeliveryError."""
        ...

    def close(self) -> None: ...
