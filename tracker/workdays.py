"""Working days: no Saturdays, Sundays or Vietnamese public holidays (Tết included), with the
admin's own exceptions (extra days off, make-up working Saturdays, the `CalendarDay` table) on
top."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import holidays
from sqlmodel import Field, Session, SQLModel, select

from tracker.db import UtcDateTime, utcnow


class CalendarDay(SQLModel, table=True):
    """An admin's exception to the public calendar: an extra day off, or a make-up working
    day (a Saturday worked in exchange for a bridge holiday)."""

    __tablename__ = "calendar_day"

    day: date = Field(primary_key=True)
    is_working: bool
    note: str = Field(default="", max_length=255)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


# Years on each side of the ones asked for, so a due date far away still counts right.
_MARGIN_YEARS = 1


class WorkCalendar:
    """Answers "is this a working day" and "how many working days between" in O(log n)."""

    def __init__(
        self,
        *,
        years: Iterable[int],
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        wanted = sorted(set(years))
        first, last = wanted[0] - _MARGIN_YEARS, wanted[-1] + _MARGIN_YEARS
        public = holidays.VN(years=range(first, last + 1))
        self.first_day, self.last_day = date(first, 1, 1), date(last, 12, 31)
        days_off = set(extra_days_off)
        working = set(extra_working_days)
        self._working: list[date] = []
        day = self.first_day
        while day <= self.last_day:
            if day in working or (public.is_working_day(day) and day not in days_off):
                self._working.append(day)
            day += timedelta(days=1)
        self._working_set = set(self._working)
        self._holiday_names = {day: name for day, name in public.items()}

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        return day in self._working_set

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name (in English, as the `holidays` package gives it)."""
        return self._holiday_names.get(day)

    def count_through(self, day: date) -> int:
        """How many working days fall on or before `day` (within the calendar's range)."""
        self._check(day)
        return bisect_right(self._working, day)

    def between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end; negative when end is before start."""
        return self.count_through(end) - self.count_through(start)

    def add(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it when negative)."""
        through = self.count_through(day)
        # From a day off, one step back already lands on a working day.
        backwards_from_day_off = count <= 0 and day not in self._working_set
        index = through + count - (0 if backwards_from_day_off else 1)
        if not 0 <= index < len(self._working):
            raise ValueError(f"{day} + {count} working days is outside the calendar")
        return self._working[index]

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.add(day, 1)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        return self.add(day, -1)

    def _check(self, day: date) -> None:
        if not self.first_day <= day <= self.last_day:
            raise ValueError(f"{day} is outside the calendar ({self.first_day}..{self.last_day})")


def load_calendar(session: Session, *, years: Iterable[int]) -> WorkCalendar:
    """The public calendar for `years` with the deployment's exceptions from the database."""
    exceptions = session.exec(select(CalendarDay)).all()
    return WorkCalendar(
        years=years,
        extra_days_off=[row.day for row in exceptions if not row.is_working],
        extra_working_days=[row.day for row in exceptions if row.is_working],
    )
