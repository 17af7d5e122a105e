"""When a reminder may leave: not in the installation's quiet hours, not on a day off.

A digest planned for a person's own time, or a retry that falls at night or on a weekend,
waits until the first allowed moment: the end of the quiet hours on the next working day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.config import ReminderSettings
from tracker.db import as_utc
from tracker.workdays import WorkCalendar

# Enough steps for any run of days off (Tết and a weekend) followed by a quiet night.
_MAX_STEPS = 60


def is_quiet(at: time, settings: ReminderSettings) -> bool:
    """Whether local time `at` falls in the quiet hours (which may span midnight)."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def first_allowed(
    moment: datetime, *, settings: ReminderSettings, calendar: WorkCalendar, timezone: str
) -> datetime:
    """The first moment at or after `moment` (UTC) on a working day and outside the quiet
    hours, in UTC."""
    zone = ZoneInfo(timezone)
    local = as_utc(moment).astimezone(zone)
    morning = settings.quiet_end if settings.quiet_start is not None else None
    for _ in range(_MAX_STEPS):
        day, at = local.date(), local.timetz().replace(tzinfo=None)
        if not calendar.is_working_day(day):
            local = _at(day + timedelta(days=1), morning or time(0), zone)
            continue
        if is_quiet(at, settings):
            assert morning is not None
            next_day = at >= morning  # quiet until tomorrow morning
            local = _at(day + timedelta(days=1 if next_day else 0), morning, zone)
            continue
        return local.astimezone(UTC)
    raise ValueError(f"no working day within {_MAX_STEPS} days of {moment}")


def local_time_on(day: date, at: time, timezone: str) -> datetime:
    """`at` on `day` in the installation's zone, in UTC."""
    return _at(day, at, ZoneInfo(timezone)).astimezone(UTC)


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)
