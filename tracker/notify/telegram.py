"""Sending reminders through the Telegram Bot API with python-telegram-bot.

PTB is asynchronous; the dispatcher is not. The sender owns one event loop running in a
background thread for its whole life, so one HTTP connection pool serves every message and
several dispatcher threads can send at once (each hands its coroutine to that loop, and the
pacer they share is locked). Each Telegram error becomes exactly one of the
DeliveryError kinds of tracker.notify.base.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import warnings
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from tracker.config import TelegramSettings
from tracker.notify import retry_after
from tracker.notify.base import (
    Delivery,
    DeliveryError,
    MaybeDelivered,
    Outgoing,
    PermanentFailure,
    RateLimitedByChannel,
    TemporaryFailure,
)
from tracker.notify.buttons import (
    Button,
    explanation_button,
    work_buttons,
)
from tracker.notify.pacing import MAX_HELD_PAUSE, Pacer
from tracker.notify.text import TELEGRAM_LIMIT, split_message, to_plain

log = logging.getLogger(__name__)

MAX_BUTTON_ROWS = 10
# Bad Request descriptions that mean the chat is gone for good (the person deleted the
# account, or the id never was a chat with this bot).
_DEAD_CHAT = ("chat not found", "user not found", "chat_id is empty", "peer_id_invalid")
_T = TypeVar("_T")


def keyboard(items: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    """One row of buttons per actionable item (at most ten): done, report %, ask extension;
    an explanation request (an item with "explanation_request_id") gets its "Giải trình"
    button, so the person answers it by pressing it or by replying to the message."""
    rows: list[tuple[Button, ...]] = []
    for item in items:
        if len(rows) >= MAX_BUTTON_ROWS:
            break
        request_id = item.get("explanation_request_id")
        if isinstance(request_id, int):
            code = str(item.get("code") or "")
            rows.append((explanation_button(request_id, name=f"{code} · " if code else ""),))
        elif item.get("actionable"):
            assignment_id = int(item["assignment_id"])
            code = str(item.get("code") or assignment_id)
            rows.append(work_buttons(assignment_id, name=f"{code} · "))
    return inline_keyboard(rows)


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Telegram's inline keyboard for rows of buttons (None when there are none): the one
    place chat buttons become Telegram's, for reminders and the bot's replies alike."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


class TelegramSender:
    """The Sender for channel 'telegram'; `close()` shuts its event loop down."""

    channel = "telegram"

    def __init__(
        self,
        settings: TelegramSettings,
        *,
        per_chat_seconds: float = 1.0,
        pacer: Pacer | None = None,
        connections: int = 32,
    ) -> None:
        self.settings = settings
        self.per_chat_seconds = per_chat_seconds
        # Set by the dispatcher: then every part waits for its slot there, right before it
        # leaves, so long messages count against the rate too. Without one, the parts of a
        # message are `per_chat_seconds` apart.
        self.pacer = pacer
        timeout = settings.timeout_seconds
        self._bot = Bot(
            settings.token,
            base_url=settings.base_url,
            request=HTTPXRequest(
                connection_pool_size=connections,
                connect_timeout=timeout,
                read_timeout=timeout,
                write_timeout=timeout,
                pool_timeout=timeout,
            ),
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="telegram-sender", daemon=True
        )
        self._thread.start()
        self._closed = False

    def send(self, message: Outgoing) -> Delivery:
        """Send the parts of `message` from `parts_sent` on; the last carries the buttons."""
        if self._closed:
            raise TemporaryFailure("Telegram sender is closed", parts_sent=message.parts_sent)
        parts = split_message(message.body, TELEGRAM_LIMIT)
        # A safety net only: each request has its own timeouts, and a pause asked for by
        # Telegram (429) holds a part back at most MAX_HELD_PAUSE (a longer one gives the
        # message back to the outbox), so the budget stays well under the dispatcher's lease.
        per_part = self.settings.timeout_seconds + self.per_chat_seconds + MAX_HELD_PAUSE + 5
        budget = len(parts) * per_part + 60
        return self._run(self._send(message, parts), timeout=budget, message=message)

    def warm_up(self) -> None:
        """Open a connection and check the token (getMe) before the first message; a failure
        is only logged, since the first send reports it properly."""
        try:
            self._run(self._bot.initialize(), timeout=self.settings.timeout_seconds + 5)
        except Exception as error:
            reason = _translate(error, parts_sent=0, token=self.settings.token)
            log.warning("Telegram warm-up failed: %s", reason)

    def close(self) -> None:
        """Close the HTTP connections and stop the event loop (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            asyncio.run_coroutine_threadsafe(self._bot.shutdown(), self._loop).result(10)
        except Exception:  # closing must not fail the caller; the loop stops anyway
            log.exception("closing the Telegram client failed")
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    # -- inside the event loop ---------------------------------------------------------

    def _run(
        self, coroutine: Coroutine[Any, Any, _T], *, timeout: float, message: Outgoing | None = None
    ) -> _T:
        try:
            future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise MaybeDelivered(
                f"Telegram did not answer within {timeout:.0f} s",
                parts_sent=message.parts_sent if message else 0,
            ) from None
        except DeliveryError:
            raise
        except Exception as error:
            # The Sender contract: nothing escapes raw. Each request's errors are translated
            # inside the loop, so this is the loop itself failing (stopped, cancelled): what
            # left before is not known.
            log.exception("Telegram sender: unexpected error")
            raise MaybeDelivered(
                f"Telegram: lỗi không lường trước, không rõ đã gửi chưa: {error!r}",
                parts_sent=message.parts_sent if message else 0,
            ) from error

    async def _send(self, message: Outgoing, parts: list[str]) -> Delivery:
        sent = message.parts_sent
        chat = message.address
        last_id: str | None = None
        try:
            markup = keyboard(message.items)  # a failure here: nothing has left yet
            for index in range(message.parts_sent, len(parts)):
                is_last = index == len(parts) - 1
                last_id = await self._paced_part(
                    chat,
                    parts[index],
                    markup if is_last else None,
                    first=index == message.parts_sent,
                )
                sent = index + 1
                if not is_last and message.on_part is not None:
                    # Committed before the next part leaves: a crash resumes after this one.
                    await asyncio.to_thread(message.on_part, sent)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # every failure leaves as one DeliveryError kind
            raise _translate(error, parts_sent=sent, token=self.settings.token) from error
        return Delivery(external_id=last_id, parts_sent=sent)

    async def _paced_part(
        self, chat: str, text: str, markup: InlineKeyboardMarkup | None, *, first: bool
    ) -> str:
        if self.pacer is None:
            if not first:
                await asyncio.sleep(self.per_chat_seconds)
            return await self._send_part(chat, text, markup)
        while (delay := self.pacer.next_slot(chat)) > 0:
            if (pause := self.pacer.pause_left()) > MAX_HELD_PAUSE:
                raise RateLimitedByChannel(
                    f"Telegram: quá nhiều tin, chờ {pause:.0f} s / flood control: "
                    f"the channel is paused for {pause:.0f} s",
                    retry_after=pause,
                )
            await asyncio.sleep(delay)
        try:
            return await self._send_part(chat, text, markup)
        finally:
            self.pacer.done(chat)

    async def _send_part(self, chat: str, text: str, markup: InlineKeyboardMarkup | None) -> str:
        try:
            sent = await self._bot.send_message(
                chat_id=chat, text=text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except BadRequest as error:
            if "can't parse entities" not in str(error).lower():
                raise
            # Our HTML was refused: better the words without formatting than no reminder.
            log.warning("Telegram refused the HTML of a part for chat %s: %s", chat, error)
            sent = await self._bot.send_message(
                chat_id=chat, text=to_plain(text), reply_markup=markup
            )
        return str(sent.message_id)


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for (the sender's and the bot's): PTB 22 gives an int
    (deprecated) or a timedelta (PTB_TIMEDELTA=1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = error.retry_after
    return retry_after.retry_after_seconds(value, default=1.0)


def _translate(error: Exception, *, parts_sent: int, token: str) -> Exception:
    """The DeliveryError kind for a PTB (or other) exception."""
    if isinstance(error, DeliveryError):  # ours already (a long pause, a lost claim)
        error.parts_sent = max(error.parts_sent, parts_sent)
        return error
    # The reason is shown on the admin page and logged: never with the bot's token in it.
    text = str(error).replace(token, "<token>") if token else str(error)
    if isinstance(error, RetryAfter):
        seconds = retry_after_seconds(error)
        return RateLimitedByChannel(
            f"Telegram: quá nhiều tin, chờ {seconds:g} s / flood control: {text}",
            retry_after=seconds,
            parts_sent=parts_sent,
        )
    if isinstance(error, Forbidden):
        return PermanentFailure(f"Telegram: {text}", link_is_dead=True, parts_sent=parts_sent)
    if isinstance(error, InvalidToken):
        return TemporaryFailure(
            "Cấu hình Telegram sai: token bị từ chối (TRACKER_TELEGRAM_TOKEN) / "
            f"configuration: the bot token was refused: {text}",
            parts_sent=parts_sent,
        )
    if isinstance(error, ChatMigrated):
        return PermanentFailure(
            f"Telegram: the chat moved to {error.new_chat_id}; link it again",
            link_is_dead=True,
            parts_sent=parts_sent,
        )
    if isinstance(error, BadRequest):
        dead = any(marker in text.lower() for marker in _DEAD_CHAT)
        return PermanentFailure(f"Telegram: {text}", link_is_dead=dead, parts_sent=parts_sent)
    if isinstance(error, TimedOut):
        cause = error.__cause__
        # Never connected, or no free connection: the request did not leave, so a retry
        # cannot duplicate it. Any other timeout may have delivered.
        if isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout):
            return TemporaryFailure(f"Telegram: {text}", parts_sent=parts_sent)
        return MaybeDelivered(
            f"Telegram timed out after the request was sent: {text}", parts_sent=parts_sent
        )
    if isinstance(error, NetworkError | TelegramError):
        return TemporaryFailure(f"Telegram: {text}", parts_sent=parts_sent)
    return TemporaryFailure(f"{type(error).__name__}: {text}", parts_sent=parts_sent)
