"""The one date formatter: dd/mm/yyyy, the way Vietnamese offices write dates.

Pure (no application needed), so the web (`tracker.i18n.format_date`, which first puts a
moment into the users' time zone), the reminder texts, the chat and the senders all use it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

DATE_FORMAT = "%d/%m/%Y"


def vn_date(value: date | str | None, *, empty: str = "—") -> str:
    """dd/mm/yyyy from a date (a datetime: its own calendar day) or an ISO string (as the
    digest items carry dates); `empty` when there is none."""
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        return _from_iso(value)
    return value.strftime(DATE_FORMAT)


@lru_cache(maxsize=4096)
def _from_iso(value: str) -> str:
    # A day's digests name a few hundred distinct dates, thousands of times.
    return date.fromisoformat(value).strftime(DATE_FORMAT)
