"""The reminder channels and their names as people read them: one place for the web, the chat
and the messages. Vietnamese, the message catalogue's source language; the web shows them through
`tracker.i18n.channel_label`, which translates."""

from __future__ import annotations

from enum import StrEnum

from tracker.errors import N_


class Channel(StrEnum):
    """Where a message goes; the outbox's `channel` column holds these values."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    EMAIL = "email"
    # The in-app inbox: its "sender" writes an inbox entry (tracker/inbox/sender.py).
    WEB = "web"


NAMES: dict[str, str] = {
    Channel.TELEGRAM: N_("Telegram"),
    Channel.ZALO: N_("Zalo"),
    Channel.EMAIL: N_("Thư điện tử"),
    Channel.WEB: N_("Hộp thư trên web"),
}


def channel_name(channel: str) -> str:
    """The channel's Vietnamese name (chat replies, message bodies); an unknown one as is."""
    return NAMES.get(str(channel), str(channel))
