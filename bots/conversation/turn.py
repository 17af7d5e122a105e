"""One turn of the conversation: who writes, from which channel, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.config import Settings
from tracker.db import as_utc
from tracker.notify.channels import channel_name


@dataclass(frozen=True)
class Turn:
    session: Session
    channel: str
    external_id: str
    now: datetime  # UTC
    settings: Settings

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.settings.timezone)).date()

    @property
    def channel_name(self) -> str:
        return channel_name(self.channel)


def start_turn(
    session: Session, channel: str, external_id: str, now: datetime, settings: Settings
) -> Turn:
    """The turn of one update; a naive now is taken as UTC."""
    return Turn(session, channel, str(external_id), as_utc(now), settings)
