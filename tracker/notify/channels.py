"""The reminder channels' names as people read them: one place for the web, the chat and the
messages. Vietnamese, the message catalogue's source language; the web shows them through
`tracker.i18n.channel_label`, which translates."""

from __future__ import annotations

from tracker.errors import N_

NAMES: dict[str, str] = {
    "telegram": N_("Telegram"),
    "zalo": N_("Zalo"),
    "email": N_("Thư điện tử"),
    "web": N_("Hộp thư trên web"),
}


def channel_name(channel: str) -> str:
    """The channel's Vietnamese name (chat replies, message bodies); an unknown one as is."""
    return NAMES.get(str(channel), str(channel))
