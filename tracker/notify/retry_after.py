"""How long a channel asked us to wait, read one way for every channel: Telegram's
`retry_after` (seconds, or a timedelta in newer python-telegram-bot) and HTTP's Retry-After
header (seconds or a date)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from tracker.db import as_utc


def retry_after_seconds(
    value: float | int | str | timedelta | None,
    *,
    default: float,
    at_least: float = 0.0,
    now: datetime | None = None,
) -> float:
    """The wait in seconds, never under `at_least`; `default` when the value says nothing."""
    seconds: float | None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float):
        seconds = float(value)
    else:
        seconds = _from_header(value or "", now or datetime.now(UTC))
    if seconds is None or seconds != seconds:  # absent, unreadable or NaN
        seconds = default
    return max(seconds, at_least)


def _from_header(text: str, now: datetime) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return (as_utc(when) - now).total_seconds()
