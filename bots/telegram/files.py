"""Files a person sends to the bot: fetched from Telegram (getFile, then the file download)
before the unit of work, so no transaction waits on the network."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Message
from telegram.error import TelegramError

from bots.conversation import IncomingFiles
from tracker.assignments.evidence import EvidenceStore, Upload
from tracker.errors import DomainError
from tracker.notify.buttons import assignments_named

log = logging.getLogger(__name__)

UNREADABLE = (
    "Telegram không cho tải tệp “{name}” (Telegram chỉ cho bot tải tệp đến 20 MB). Hãy gửi "
    "tệp nhỏ hơn, hoặc đính kèm trên web ở trang nhiệm vụ."
)


def has_files(message: Message) -> bool:
    return bool(message.photo or message.document)


async def fetch_files(bot: Bot, message: Message, store: EvidenceStore) -> IncomingFiles:
    """The message's photo or document, downloaded unless Telegram says it is too large."""
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes of one photo, smallest first
        file_id, name, size = largest.file_id, f"anh-{message.message_id}.jpg", largest.file_size
    else:
        document = message.document
        assert document is not None
        file_id, size = document.file_id, document.file_size
        name = document.file_name or f"tep-{message.message_id}"
    common: dict[str, Any] = {
        "caption": message.caption or "",
        "about": assignments_named(reply_buttons(message)),
        "group": message.media_group_id,
    }
    try:
        if size is not None:
            store.check_size(name, size)  # told before downloading: no need to fetch it
        telegram_file = await bot.get_file(file_id)
        data = bytes(await telegram_file.download_as_bytearray())
    except DomainError as error:
        return IncomingFiles([], refused=error.template.format(**error.params), **common)
    except TelegramError as error:
        log.info("telegram file %s not fetched: %s", file_id, error)
        return IncomingFiles([], refused=UNREADABLE.format(name=name), **common)
    return IncomingFiles([Upload(name, data)], **common)


def reply_buttons(message: Message) -> tuple[str, ...]:
    """The callback data under the message this one replies to (ours carry what they are
    about: a reminder its assignments, a list of requests its explanation requests)."""
    replied = message.reply_to_message
    if replied is None or replied.reply_markup is None:
        return ()
    return tuple(
        button.callback_data
        for row in replied.reply_markup.inline_keyboard
        for button in row
        if isinstance(button.callback_data, str)
    )
