"""Which rules fire on which working day: each boundary, weekends and Tết, recurring periods."""

from datetime import date, timedelta

import pytest

from tracker.config import ReminderSettings
from tracker.reminders.models import Rule
from tracker.reminders.rules import (
    Firing,
    due_rules,
    firings_by_due,
    period_dates,
    period_rules,
    rules_for,
    step_back,
)
from tracker.workdays import WorkCalendar

DEFAULTS = ReminderSettings()
FRIDAY_DUE = date(2027, 1, 22)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar(years=[2027])


def fired(calendar: WorkCalendar, day: date, due: date, **settings: object) -> list[tuple]:
    reminders = ReminderSettings(**settings) if settings else DEFAULTS  # type: ignore[arg-type]
    return [
        (firing.rule, firing.days)
        for firing in due_rules(day, due, calendar=calendar, settings=reminders)
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 1, 12), []),  # 8 working days before
        (date(2027, 1, 13), [(Rule.BEFORE_DUE, 7)]),
        (date(2027, 1, 14), []),  # 6
        (date(2027, 1, 18), []),  # 4
        (date(2027, 1, 19), [(Rule.BEFORE_DUE, 3)]),
        (date(2027, 1, 20), []),  # 2
        (date(2027, 1, 21), [(Rule.BEFORE_DUE, 1)]),
        (date(2027, 1, 22), [(Rule.DUE_TODAY, 0)]),
        (date(2027, 1, 25), [(Rule.OVERDUE, 1)]),  # Monday, the first working day after
        (date(2027, 1, 26), []),
        (date(2027, 1, 27), [(Rule.UNIT_ESCALATION, 3)]),  # the unit's own head first
        (date(2027, 1, 28), [(Rule.OVERDUE, 4)]),
        (date(2027, 1, 29), [(Rule.ESCALATION, 5)]),
        (date(2027, 2, 1), []),
        (date(2027, 2, 2), [(Rule.OVERDUE, 7)]),
        (date(2027, 2, 3), []),
        # Tết (04/02-10/02) does not count: 11/02 is the 9th working day overdue.
        (date(2027, 2, 11), []),
        (date(2027, 2, 12), [(Rule.OVERDUE, 10)]),
        (date(2027, 2, 16), []),
    ],
)
def test_each_boundary_of_a_friday_due(calendar: WorkCalendar, day: date, expected: list) -> None:
    assert fired(calendar, day, FRIDAY_DUE) == expected


def test_escalation_fires_once(calendar: WorkCalendar) -> None:
    days = [FRIDAY_DUE + timedelta(days=offset) for offset in range(1, 60)]
    escalations = [
        day
        for day in days
        if calendar.is_working_day(day)
        and any(rule == Rule.ESCALATION for rule, _ in fired(calendar, day, FRIDAY_DUE))
    ]
    assert escalations == [date(2027, 1, 29)]


def test_a_due_date_on_a_sunday_is_announced_on_the_friday(calendar: WorkCalendar) -> None:
    sunday = date(2027, 1, 10)
    assert fired(calendar, date(2027, 1, 7), sunday) == [(Rule.BEFORE_DUE, 1)]
    assert fired(calendar, date(2027, 1, 8), sunday) == [(Rule.DUE_TODAY, 0)]
    assert fired(calendar, date(2027, 1, 11), sunday) == [(Rule.OVERDUE, 1)]
    (firing,) = due_rules(date(2027, 1, 8), sunday, calendar=calendar, settings=DEFAULTS)
    assert firing == Firing(Rule.DUE_TODAY, 0, sunday)


def test_a_due_date_during_tet_is_announced_before_it(calendar: WorkCalendar) -> None:
    tet = date(2027, 2, 6)
    assert fired(calendar, date(2027, 2, 2), tet) == [(Rule.BEFORE_DUE, 1)]
    assert fired(calendar, date(2027, 2, 3), tet) == [(Rule.DUE_TODAY, 0)]
    assert fired(calendar, date(2027, 2, 11), tet) == [(Rule.OVERDUE, 1)]
    # Due the Thursday after Tết: "7 working days before" is 26/01, sixteen days earlier,
    # and the last working day before Tết is "1 working day before".
    assert fired(calendar, date(2027, 1, 26), date(2027, 2, 11)) == [(Rule.BEFORE_DUE, 7)]
    assert fired(calendar, date(2027, 2, 3), date(2027, 2, 11)) == [(Rule.BEFORE_DUE, 1)]


def test_the_deployment_sets_the_numbers(calendar: WorkCalendar) -> None:
    custom = {"before_due": (5, 2), "overdue_every": 2, "escalate_after": 3}
    assert fired(calendar, date(2027, 1, 15), FRIDAY_DUE, **custom) == [(Rule.BEFORE_DUE, 5)]
    assert fired(calendar, date(2027, 1, 13), FRIDAY_DUE, **custom) == []
    assert fired(calendar, date(2027, 1, 20), FRIDAY_DUE, **custom) == [(Rule.BEFORE_DUE, 2)]
    assert fired(calendar, date(2027, 1, 26), FRIDAY_DUE, **custom) == []
    assert fired(calendar, date(2027, 1, 27), FRIDAY_DUE, **custom) == [
        (Rule.OVERDUE, 3),
        (Rule.ESCALATION, 3),
    ]


def test_a_due_date_outside_the_calendar_fires_nothing(calendar: WorkCalendar) -> None:
    assert fired(calendar, date(2027, 1, 13), date(2035, 1, 1)) == []
    assert fired(calendar, date(2027, 1, 13), date(2020, 1, 1)) == []


def test_the_due_dates_that_fire_on_a_day_are_found_on_the_calendar(
    calendar: WorkCalendar,
) -> None:
    day = date(2027, 2, 3)  # the last working day before Tết
    by_due = firings_by_due(day, calendar=calendar, settings=DEFAULTS)
    due = calendar.first_day
    while due <= calendar.last_day:
        assert by_due.get(due, ()) == due_rules(day, due, calendar=calendar, settings=DEFAULTS)
        due += timedelta(days=1)
    # Due during Tết: announced on 03/02; the weekend after 19/02 counts as 19/02.
    assert [due for due, fired in by_due.items() if fired[0].rule == Rule.DUE_TODAY] == [
        date(2027, 2, 3) + timedelta(days=offset) for offset in range(8)
    ]
    assert {
        due: fired[0].days for due, fired in by_due.items() if fired[0].rule == Rule.BEFORE_DUE
    } == {
        date(2027, 2, 11): 1,
        date(2027, 2, 15): 3,
        date(2027, 2, 19): 7,
        date(2027, 2, 20): 7,
        date(2027, 2, 21): 7,
    }


@pytest.mark.parametrize(
    ("due", "months", "expected"),
    [
        (date(2028, 3, 31), 1, date(2028, 2, 29)),
        (date(2028, 3, 31), 2, date(2028, 1, 31)),
        (date(2027, 3, 31), 1, date(2027, 2, 28)),
        (date(2027, 1, 15), 1, date(2026, 12, 15)),
        (date(2027, 12, 31), 3, date(2027, 9, 30)),
        (date(2028, 2, 29), 12, date(2027, 2, 28)),
    ],
)
def test_step_back_keeps_the_day_or_the_months_end(due: date, months: int, expected: date) -> None:
    assert step_back(due, months) == expected


def test_period_dates_of_each_recurrence() -> None:
    assert period_dates(date(2028, 3, 31), "monthly", created_on=date(2028, 1, 15)) == [
        date(2028, 2, 29),
        date(2028, 1, 31),
    ]
    assert period_dates(date(2027, 12, 31), "quarterly", created_on=date(2027, 1, 1)) == [
        date(2027, 9, 30),
        date(2027, 6, 30),
        date(2027, 3, 31),
    ]
    assert period_dates(date(2029, 6, 30), "yearly", created_on=date(2027, 1, 1)) == [
        date(2028, 6, 30),
        date(2027, 6, 30),
    ]
    # Only the report dates after the assignment was created.
    assert period_dates(date(2028, 3, 31), "monthly", created_on=date(2028, 1, 31)) == [
        date(2028, 2, 29)
    ]
    assert period_dates(date(2028, 3, 31), "weekly", created_on=date(2028, 1, 1)) == []


def test_period_reports_are_reminded_before_each_report_date(calendar: WorkCalendar) -> None:
    due, created = date(2027, 3, 31), date(2027, 1, 1)
    # Report dates 31/01 and 28/02, both Sundays; 31/03 is the final due.

    def periods(day: date) -> list[tuple]:
        firings = period_rules(
            day, due, "monthly", created_on=created, calendar=calendar, settings=DEFAULTS
        )
        return [(firing.rule, firing.days, firing.due) for firing in firings]

    january = date(2027, 1, 31)
    assert periods(date(2027, 1, 25)) == []  # 4 working days before
    assert periods(date(2027, 1, 26)) == [(Rule.PERIOD_REPORT, 3, january)]
    assert periods(date(2027, 1, 27)) == []
    assert periods(date(2027, 1, 28)) == [(Rule.PERIOD_REPORT, 1, january)]
    assert periods(date(2027, 1, 29)) == [(Rule.PERIOD_REPORT, 0, january)]
    assert periods(date(2027, 2, 1)) == []
    assert periods(date(2027, 2, 23)) == [(Rule.PERIOD_REPORT, 3, date(2027, 2, 28))]
    assert periods(date(2027, 3, 31)) == []  # the final due has its own rules
    # Created after the January report date: only February's.
    later = period_rules(
        date(2027, 1, 29),
        due,
        "monthly",
        created_on=date(2027, 2, 1),
        calendar=calendar,
        settings=DEFAULTS,
    )
    assert later == ()


def test_a_recurring_task_keeps_its_final_due_rules(calendar: WorkCalendar) -> None:
    due = date(2027, 3, 31)

    def rules(day: date) -> list[Rule]:
        firings = rules_for(
            day,
            due,
            calendar=calendar,
            settings=DEFAULTS,
            recurrence="monthly",
            created_on=date(2027, 1, 1),
        )
        return [firing.rule for firing in firings]

    assert rules(date(2027, 3, 26)) == [Rule.BEFORE_DUE]  # 3 working days before 31/03
    assert rules(date(2027, 3, 31)) == [Rule.DUE_TODAY]
    assert rules(date(2027, 1, 29)) == [Rule.PERIOD_REPORT]
    # Without a recurrence there are no period reports.
    assert rules_for(date(2027, 1, 29), due, calendar=calendar, settings=DEFAULTS) == ()
