"""The Telegram bot with python-telegram-bot: polling (`tracker bot`), or one webhook update
handed over by the web app. Both go through handle_update.

Each update runs in its own unit of work, in a worker thread because the database calls block;
the replies are sent after the commit, so a reply never announces a change that rolled back.
The update_id is entered in that same unit of work (tracker/chat/webhook_events.py): an update
Telegram sends again, or anyone replays, is ignored once it has been handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from flask import Flask
from sqlmodel import Session
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bots.conversation import (
    Button,
    ButtonOutcome,
    IncomingFiles,
    Reply,
    handle_button,
    handle_files,
    handle_text,
)
from bots.telegram.files import fetch_files, has_files, reply_buttons
from tracker.assignments.evidence import store_for
from tracker.chat import inbox, webhook_events
from tracker.config import Settings, TelegramSettings
from tracker.db import unit_of_work, utcnow
from tracker.notify.telegram import inline_keyboard, retry_after_seconds

log = logging.getLogger(__name__)

T = TypeVar("T")

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
SEND_ATTEMPTS = 3
MAX_WAIT_SECONDS = 30.0
TOAST_LIMIT = 200
_FLASK_APP = "flask_app"
FAILURE_TEXT = (
    "Đôn Đốc đang gặp lỗi nên chưa ghi nhận được tin nhắn này. Vui lòng thử lại sau ít phút; "
    "nếu vẫn lỗi, báo quản trị viên."
)
PRIVATE_ONLY = "Đôn Đốc chỉ làm việc trong tin nhắn riêng. Hãy nhắn riêng cho bot."
TEXT_ONLY = (
    "Đôn Đốc đọc tin nhắn chữ, ảnh và tệp (PDF, Word, Excel); loại tin nhắn này chưa đọc được. "
    "Gửi /trogiup để xem các lệnh."
)


def file_url(base_url: str) -> str:
    """The file download URL beside a Bot API base URL (…/bot -> …/file/bot)."""
    if base_url.endswith("/bot"):
        return base_url.removesuffix("bot") + "file/bot"
    return base_url.rstrip("/") + "/file/bot"


def build_application(app: Flask) -> Application:
    """The python-telegram-bot Application for polling, wired to the conversation core."""
    telegram = _settings(app).telegram
    application = (
        ApplicationBuilder()
        .token(telegram.token)
        .base_url(telegram.base_url)
        .base_file_url(file_url(telegram.base_url))
        .connect_timeout(telegram.timeout_seconds)
        .read_timeout(telegram.timeout_seconds)
        .write_timeout(telegram.timeout_seconds)
        .build()
    )
    application.bot_data[_FLASK_APP] = app
    application.add_handler(CallbackQueryHandler(_on_update))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, _on_update))
    application.add_error_handler(_on_error)
    return application


def run_polling(app: Flask) -> None:
    """Poll Telegram until Ctrl+C (the Application handles the signals)."""
    build_application(app).run_polling(allowed_updates=ALLOWED_UPDATES)


def process_webhook_update(app: Flask, payload: dict[str, Any]) -> None:
    """Handle one update that Telegram posted to the web app; failures are logged, not raised,
    so Telegram is answered 200 and does not send the same update again and again."""
    try:
        asyncio.run(_process_webhook_update(app, payload))
    except Exception:
        log.exception("telegram webhook update %s failed", payload.get("update_id"))


def process_inbox(app: Flask, *, worker: str, limit: int = 20) -> int:
    """Handle the updates the webhook stored (oldest first); returns how many were handled."""
    engine = app.extensions["tracker.engine"]
    with app.app_context(), unit_of_work(engine) as session:
        claimed = inbox.claim(session, worker=worker, now=utcnow(), limit=limit)
    for update_id, payload in claimed:
        process_webhook_update(app, payload)
        with app.app_context(), unit_of_work(engine) as session:
            inbox.finish(session, update_id=update_id, worker=worker)
    return len(claimed)


def set_webhook(app: Flask) -> str:
    """Tell Telegram to post updates to this deployment's web app; returns the URL."""
    settings = _settings(app)
    url = f"{settings.base_url}/telegram/webhook"

    async def register() -> None:
        async with _request(settings.telegram) as request:
            await _bot(settings.telegram, request).set_webhook(
                url, secret_token=settings.telegram.webhook_secret, allowed_updates=ALLOWED_UPDATES
            )

    asyncio.run(register())
    return url


async def handle_update(update: Update, bot: Bot, app: Flask) -> None:
    """One update, from polling or the webhook: run the conversation, then answer."""
    now = utcnow()
    query = update.callback_query
    if query is not None:
        await _handle_button(query, bot, app, update_id=update.update_id, now=now)
        return
    message = update.message
    if message is None:
        return
    chat_id = str(message.chat.id)
    if message.chat.type != ChatType.PRIVATE:
        await send_replies(bot, chat_id, [Reply(PRIVATE_ONLY)])
        return
    text = message.text
    work: Callable[[Session, Settings], list[Reply]]
    if has_files(message):
        incoming = await fetch_files(bot, message, store_for(_settings(app)))
        work = partial(_files_turn, external_id=chat_id, incoming=incoming, now=now)
    elif text:
        work = partial(
            _text_turn,
            external_id=chat_id,
            text=text,
            now=now,
            reply_buttons=reply_buttons(message),
        )
    else:
        await send_replies(bot, chat_id, [Reply(TEXT_ONLY)])
        return
    try:
        replies = await asyncio.to_thread(_in_unit_of_work, app, work, update_id=update.update_id)
    except Exception:
        log.exception("telegram message from %s failed", chat_id)
        replies = [Reply(FAILURE_TEXT)]
    if replies is None:
        return
    await send_replies(bot, chat_id, replies)


async def _handle_button(
    query: CallbackQuery, bot: Bot, app: Flask, *, update_id: int, now: datetime
) -> None:
    """A pressed button: run its action, then answer with a toast and the replies."""
    if query.message is not None and query.message.chat.type != ChatType.PRIVATE:
        await _answer_query(bot, query.id, PRIVATE_ONLY)
        return
    external_id = str(query.from_user.id)
    data = query.data or ""
    try:
        outcome = await asyncio.to_thread(
            _in_unit_of_work,
            app,
            lambda session, settings: handle_button(
                session,
                channel=CHANNEL,
                external_id=external_id,
                data=data,
                now=now,
                settings=settings,
            ),
            update_id=update_id,
        )
    except Exception:
        log.exception("telegram button %r from %s failed", data, external_id)
        outcome = ButtonOutcome("Chưa ghi nhận được, thử lại sau.", [Reply(FAILURE_TEXT)])
    if outcome is None:
        return
    await _answer_query(bot, query.id, outcome.toast)
    await send_replies(bot, external_id, outcome.replies)


def _files_turn(
    session: Session,
    settings: Settings,
    *,
    external_id: str,
    incoming: IncomingFiles,
    now: datetime,
) -> list[Reply]:
    return handle_files(
        session,
        channel=CHANNEL,
        external_id=external_id,
        incoming=incoming,
        now=now,
        settings=settings,
    )


def _text_turn(
    session: Session,
    settings: Settings,
    *,
    external_id: str,
    text: str,
    now: datetime,
    reply_buttons: tuple[str, ...],
) -> list[Reply]:
    return handle_text(
        session,
        channel=CHANNEL,
        external_id=external_id,
        text=text,
        now=now,
        settings=settings,
        reply_buttons=reply_buttons,
    )


def reply_markup(buttons: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard rows for a reply's buttons (None when there are none)."""
    return inline_keyboard(buttons)


async def send_replies(bot: Bot, chat_id: str, replies: Sequence[Reply]) -> None:
    """Send the replies in order, waiting when Telegram asks; stop at the first failure so a
    list never arrives with a hole in the middle."""
    for reply in replies:
        if not await _send(bot, chat_id, reply):
            return


async def _send(bot: Bot, chat_id: str, reply: Reply) -> bool:
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await bot.send_message(
                chat_id=chat_id,
                text=reply.text,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup(reply.buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            return True
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if attempt == SEND_ATTEMPTS or wait > MAX_WAIT_SECONDS:
                log.warning("telegram reply to %s dropped: flood control (%ss)", chat_id, wait)
                return False
            await asyncio.sleep(wait)
        except TimedOut:
            # It may have arrived: sending again could show the person the same reply twice.
            log.warning("telegram reply to %s timed out (maybe delivered)", chat_id)
            return False
        except TelegramError as error:
            log.warning("telegram reply to %s failed: %s", chat_id, error)
            return False
    return False


async def _answer_query(bot: Bot, query_id: str, toast: str) -> None:
    try:
        await bot.answer_callback_query(query_id, text=toast[:TOAST_LIMIT])
    except TelegramError as error:
        # A query older than a few seconds can no longer be answered; the reply still goes.
        log.info("callback query %s not answered: %s", query_id, error)


async def _on_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update):
        await handle_update(update, context.bot, context.application.bot_data[_FLASK_APP])


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("telegram update %r failed", update, exc_info=context.error)


async def _process_webhook_update(app: Flask, payload: dict[str, Any]) -> None:
    telegram = _settings(app).telegram
    async with _request(telegram) as request:
        bot = _bot(telegram, request)
        update = Update.de_json(payload, bot)
        await handle_update(update, bot, app)


def _in_unit_of_work(
    app: Flask, work: Callable[[Session, Settings], T], *, update_id: int | None = None
) -> T | None:
    """Run the blocking conversation in one transaction (committed on return); None, and
    nothing done, when update `update_id` was handled already."""
    with app.app_context(), unit_of_work(app.extensions["tracker.engine"]) as session:
        if update_id is not None and not webhook_events.first_sighting(
            session, channel=CHANNEL, event_id=str(update_id), now=utcnow()
        ):
            log.info("telegram update %s ignored: handled already", update_id)
            return None
        return work(session, _settings(app))


def _request(telegram: TelegramSettings) -> HTTPXRequest:
    return HTTPXRequest(
        connect_timeout=telegram.timeout_seconds,
        read_timeout=telegram.timeout_seconds,
        write_timeout=telegram.timeout_seconds,
    )


def _bot(telegram: TelegramSettings, request: HTTPXRequest) -> Bot:
    # No Bot.initialize(): it would ask getMe on every webhook update, and sending needs none.
    return Bot(
        telegram.token,
        base_url=telegram.base_url,
        base_file_url=file_url(telegram.base_url),
        request=request,
        get_updates_request=request,
    )


def _settings(app: Flask) -> Settings:
    return app.extensions["tracker.settings"]
