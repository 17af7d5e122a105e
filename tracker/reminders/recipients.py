"""Who a digest can reach: the active people and their usable chat links (Core selects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import Connection, select

from tracker.accounts.models import ChatLink, User
from tracker.config import Settings
from tracker.notify.channels import Channel
from tracker.tables import table_of

_user = table_of(User)
_chat_link = table_of(ChatLink)


@dataclass(frozen=True)
class Person:
    """An active user, with what planning needs to route and address a digest."""

    id: int
    name: str
    role: str
    unit_id: int | None
    email: str | None
    is_unit_head: bool = False
    # Their own digest time (local); None: the installation's hour.
    digest_time: time | None = None


def active_people(connection: Connection) -> dict[int, Person]:
    """user id -> Person, for every active user."""
    rows = connection.execute(
        select(
            _user.c.id,
            _user.c.full_name,
            _user.c.role,
            _user.c.unit_id,
            _user.c.email,
            _user.c.is_unit_head,
            _user.c.digest_time,
        ).where(_user.c.is_active.is_(True))
    )
    return {row[0]: Person(*row) for row in rows}


def usable_links(
    connection: Connection, settings: Settings
) -> dict[int, list[tuple[str, str, int | None]]]:
    """person -> [(channel, address, chat link id)]: the newest active link per configured
    channel."""
    configured = {
        channel
        for channel in (Channel.TELEGRAM, Channel.ZALO)
        if settings.channel_is_configured(channel)
    }
    if not configured:
        return {}
    newest: dict[tuple[int, str], tuple[str, int]] = {}
    rows = connection.execute(
        select(
            _chat_link.c.id, _chat_link.c.user_id, _chat_link.c.channel, _chat_link.c.external_id
        )
        .where(_chat_link.c.is_active.is_(True), _chat_link.c.channel.in_(configured))
        .order_by(_chat_link.c.id)
    )
    for link_id, user_id, channel, external_id in rows:
        newest[(user_id, channel)] = (external_id, link_id)
    links: dict[int, list[tuple[str, str, int | None]]] = {}
    for (user_id, channel), (address, link_id) in sorted(newest.items()):
        links.setdefault(user_id, []).append((channel, address, link_id))
    return links
