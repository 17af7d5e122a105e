"""The channel senders the settings allow: what a dispatcher is given to send with."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from tracker.config import Settings
from tracker.notify.base import Sender
from tracker.notify.channels import Channel

log = logging.getLogger(__name__)


def build_senders(settings: Settings, engine: Engine) -> dict[str, Sender]:
    """A sender for each channel configured in `settings`; the web inbox's always."""
    from tracker.inbox.sender import WebInboxSender

    senders: dict[str, Sender] = {Channel.WEB.value: WebInboxSender(engine)}
    if settings.channel_is_configured(Channel.TELEGRAM):
        from tracker.notify.telegram import TelegramSender

        senders[Channel.TELEGRAM.value] = TelegramSender(
            settings.telegram, per_chat_seconds=settings.reminders.telegram_per_chat_seconds
        )
    if settings.channel_is_configured(Channel.ZALO):
        from tracker.notify.zalo import ZaloSender

        senders[Channel.ZALO.value] = ZaloSender(settings.zalo, engine)
    if settings.channel_is_configured(Channel.EMAIL):
        from tracker.notify.email import EmailSender

        senders[Channel.EMAIL.value] = EmailSender(settings.smtp)
    if len(senders) == 1:
        log.warning("no chat or e-mail channel is configured: only the web inbox is delivered")
    return senders
