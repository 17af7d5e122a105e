"""Which reminder rules fire for an open assignment on a planning day: date logic only.

D is the planning day (a working day); working days come from the WorkCalendar, the numbers
from ReminderSettings (defaults in brackets).

- n = calendar.between(D, due), the working days d with D < d <= due.
  BEFORE_DUE when D < due and n is in `before_due` (7, 3, 1).
  DUE_TODAY when D <= due and n == 0: the due day itself, or, for a due date on a day off,
  the last working day before it (a due date on a Sunday is announced on the Friday).
- m = calendar.between(due, D) when D > due: how many working days overdue.
  OVERDUE when m >= 1 and (m - 1) % `overdue_every` == 0 (3): the first working day after the
  due date, then every third working day (m = 1, 4, 7, ...).
  UNIT_ESCALATION, for the unit's own head, when m == `escalate_unit_head_after` (3): once;
  ESCALATION, for the board's head, when m == `escalate_after` (5): once.
- Recurring tasks (monthly, quarterly, yearly): the period report dates are the due date's
  day of month stepped back 1, 3 or 12 months at a time, each counted from the final due and
  clamped to the month's end (a monthly task due 31/03/2028 reports on 29/02 and 31/01), kept
  when after the day the assignment was created and before the final due.
  PERIOD_REPORT when a period date p >= D has between(D, p) in `before_period` (3, 1) or == 0.
  The final due keeps the rules above.
- NEW (an assignment created since the previous digest) and EXTENSION_APPROVED / _REFUSED (a
  decision since then) come from timestamps, not dates: collect.py finds them.

A due date outside the calendar's years fires nothing: the calendar spans a year on each side
of the years asked for, so such a date is months away from every reminder anyway.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.config import ReminderSettings
from tracker.notices.models import Recurrence
from tracker.reminders.models import Rule
from tracker.workdays import WorkCalendar

PERIOD_MONTHS: dict[str, int] = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.YEARLY: 12,
}


@dataclass(frozen=True)
class Firing:
    """One rule firing: `days` is n (before, due, period) or m (overdue, escalation); `due` is
    the date it is about: the due date, or the period's report date."""

    rule: Rule
    days: int
    due: date


def _inside(calendar: WorkCalendar, *days: date) -> bool:
    return all(calendar.first_day <= day <= calendar.last_day for day in days)


def due_rules(
    day: date, due: date, *, calendar: WorkCalendar, settings: ReminderSettings
) -> tuple[Firing, ...]:
    """BEFORE_DUE, DUE_TODAY, OVERDUE and ESCALATION for a due date, seen on `day`."""
    if not _inside(calendar, day, due):
        return ()
    if day <= due:
        n = calendar.between(day, due)
        if n == 0:
            return (Firing(Rule.DUE_TODAY, 0, due),)
        if day < due and n in settings.before_due:
            return (Firing(Rule.BEFORE_DUE, n, due),)
        return ()
    m = calendar.between(due, day)
    fired: list[Firing] = []
    if m >= 1 and (m - 1) % max(settings.overdue_every, 1) == 0:
        fired.append(Firing(Rule.OVERDUE, m, due))
    # A first step at or after the board's step is no step (the settings refuse one anyway).
    unit_step = settings.escalate_unit_head_after
    if 0 < unit_step < settings.escalate_after and m == unit_step:
        fired.append(Firing(Rule.UNIT_ESCALATION, m, due))
    if m == settings.escalate_after:
        fired.append(Firing(Rule.ESCALATION, m, due))
    return tuple(fired)


def firings_by_due(
    day: date, *, calendar: WorkCalendar, settings: ReminderSettings
) -> dict[date, tuple[Firing, ...]]:
    """Every due date (within the calendar) for which due_rules fire on `day`, with what
    fires: planning asks the database for just these dates."""
    ahead = max(settings.before_due, default=0) + 1
    try:
        # Due dates after this one are more than `ahead` working days away.
        last = calendar.add(day, ahead)
    except ValueError:
        last = calendar.last_day
    fired = {}
    due = calendar.first_day
    one_day = timedelta(days=1)
    while due < last:
        firings = due_rules(day, due, calendar=calendar, settings=settings)
        if firings:
            fired[due] = firings
        due += one_day
    return fired


def step_back(due: date, months: int) -> date:
    """The due date's day of month, `months` months earlier, clamped to that month's end."""
    index = due.year * 12 + due.month - 1 - months
    year, month = divmod(index, 12)
    last = month_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(due.day, last))


def period_dates(due: date, recurrence: str, *, created_on: date) -> list[date]:
    """The report dates of a recurring task before its final due, latest first."""
    months = PERIOD_MONTHS.get(recurrence)
    if months is None:
        return []
    dates = []
    step = 1
    while (period := step_back(due, months * step)) > created_on:
        dates.append(period)
        step += 1
    return dates


def period_rules(
    day: date,
    due: date,
    recurrence: str,
    *,
    created_on: date,
    calendar: WorkCalendar,
    settings: ReminderSettings,
) -> tuple[Firing, ...]:
    """PERIOD_REPORT firings for the report dates on or after `day` (at most a few)."""
    months = PERIOD_MONTHS.get(recurrence)
    if months is None or day >= due:
        return ()
    fired = []
    step = 1
    # Latest first: stop at the first report date before the planning day.
    while (period := step_back(due, months * step)) >= day and period > created_on:
        if _inside(calendar, period):
            n = calendar.between(day, period)
            if n == 0 or n in settings.before_period:
                fired.append(Firing(Rule.PERIOD_REPORT, n, period))
        step += 1
    return tuple(reversed(fired))


def rules_for(
    day: date,
    due: date,
    *,
    calendar: WorkCalendar,
    settings: ReminderSettings,
    recurrence: str | None = None,
    created_on: date | None = None,
) -> tuple[Firing, ...]:
    """Every date rule that fires on `day` for an assignment due on `due`."""
    fired = due_rules(day, due, calendar=calendar, settings=settings)
    if recurrence and created_on is not None:
        fired = (
            period_rules(
                day,
                due,
                recurrence,
                created_on=created_on,
                calendar=calendar,
                settings=settings,
            )
            + fired
        )
    return fired
