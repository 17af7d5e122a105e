"""Per-process rate limiting of a channel's requests (Telegram's 30 messages/s and 1/s per
chat): the dispatcher paces each message, or lends its Pacer to a sender that sends in parts."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from tracker.notify.shared_rate import SharedBucket, SharedChatLimit

# The longest a sender keeps a claimed message waiting out a pause the channel asked for (429
# retry_after). A longer pause gives the message back to the outbox until the pause is over,
# so no wait the dispatcher chooses while holding a row comes near the lease
# (tracker/reminders/dispatch.py DEFAULT_LEASE).
MAX_HELD_PAUSE = 60.0


class Pacer:
    """A channel's rate limit inside one process, for each request (a message part).

    - `per_second` overall, spaced evenly, without bursts;
    - whatever the network does, the server never sees more than per_second + 1 requests in
      one second: a request reaches the server between its grant and its completion, so a
      grant waits while per_second + 1 requests are in flight or completed within the last
      second (this makes the rate per_second / (1 + latency) at worst);
    - `per_chat_seconds` from one request's completion to the next request to that chat;
    - a pause for everyone when the channel asks for one (429 with retry_after).

    Every request granted by `next_slot` must be reported with `done` once it has finished.
    """

    def __init__(
        self,
        *,
        per_second: float | None,
        per_chat_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedBucket | None = None,
        shared_chats: SharedChatLimit | None = None,
    ) -> None:
        # Every dispatcher's share of the channel's limit (tracker/notify/shared_rate.py).
        self._shared = shared
        # ... and of each chat's limit; a chat's token, once taken, is kept for the request
        # that took it while that request still waits for the channel's token.
        self._shared_chats = shared_chats
        self._chat_tokens: set[str] = set()
        # The shared bucket's grant of each request in flight, reported finished by done().
        self._grants: dict[str, int | None] = {}
        self._shared_ready = float("-inf")
        self._interval = 1.0 / per_second if per_second else 0.0
        self._limit = int(per_second) + 1 if per_second else 0
        self._per_chat = per_chat_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._next = float("-inf")
        self._paused_until = float("-inf")
        self._in_flight = 0
        self._finished: deque[float] = deque()
        self._chat_next: dict[str, float] = {}

    def next_slot(self, chat: str) -> float:
        """0 when a request may go to `chat` now (the slot is taken), else the seconds to wait
        before asking again."""
        with self._lock:
            now = self._clock()
            ready = max(self._next, self._paused_until, self._chat_next.get(chat, now))
            if self._limit:
                while self._finished and self._finished[0] <= now - 1.0:
                    self._finished.popleft()
                if self._in_flight + len(self._finished) >= self._limit:
                    oldest = self._finished[0] + 1.0 if self._finished else now + 0.002
                    ready = max(ready, oldest)
            if ready > now:
                return min(max(ready - now, 0.0005), 1.0)
            if self._shared_chats is not None and chat not in self._chat_tokens:
                if (wait := self._shared_chats.take(chat)) > 0:
                    return min(max(wait, 0.0005), 1.0)
                self._chat_tokens.add(chat)
            if self._shared is not None:
                # One question to the database per wait it announced, not one per caller.
                if now < self._shared_ready:
                    return min(max(self._shared_ready - now, 0.0005), 1.0)
                if (wait := self._shared.take()) > 0:
                    self._shared_ready = now + wait
                    return min(max(wait, 0.0005), 1.0)
                self._grants[chat] = self._shared.last_grant
            self._chat_tokens.discard(chat)
            # Keep the even schedule when the caller woke up a little late (under half a
            # slot), so sleep overshoot does not pull the rate under the limit; after an idle
            # spell the schedule starts afresh from now.
            late = now - self._next
            self._next = (now if late >= self._interval / 2 else self._next) + self._interval
            self._in_flight += 1
            if self._per_chat:
                if len(self._chat_next) > 4096:
                    self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
                self._chat_next[chat] = float("inf")  # until this request is done
            return 0.0

    def done(self, chat: str) -> None:
        """The request granted for `chat` has finished (delivered or not)."""
        if self._shared is not None:
            with self._lock:
                grant = self._grants.pop(chat, None)
            self._shared.finished(grant)
        with self._lock:
            now = self._clock()
            self._in_flight = max(self._in_flight - 1, 0)
            if self._limit:
                self._finished.append(now)
            if self._per_chat:
                self._chat_next[chat] = now + self._per_chat

    def pause_left(self) -> float:
        """Seconds until the channel's pause is over (0 when there is none)."""
        with self._lock:
            return max(self._paused_until - self._clock(), 0.0)

    def pause(self, seconds: float) -> None:
        """Nobody sends on this channel for `seconds` (a 429 with retry_after)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
