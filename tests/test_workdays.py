"""Working days: weekends, Vietnamese public holidays (Tết), make-up Saturdays, the admin's list."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from tracker.workdays import CalendarDay, WorkCalendar, load_calendar

TET_2027 = [date(2027, 2, 4) + timedelta(days=offset) for offset in range(7)]


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar(years=[2027])


def test_tet_2027_is_no_working_day(calendar: WorkCalendar) -> None:
    assert TET_2027[0] == date(2027, 2, 4) and TET_2027[-1] == date(2027, 2, 10)
    assert [day for day in TET_2027 if calendar.is_working_day(day)] == []
    # The working days around it: Wednesday 03/02 and Thursday 11/02.
    assert calendar.is_working_day(date(2027, 2, 3))
    assert calendar.is_working_day(date(2027, 2, 11))
    assert calendar.holiday_name(date(2027, 2, 6)) == "Lunar New Year"


def test_weekends_and_new_year_are_days_off(calendar: WorkCalendar) -> None:
    assert not calendar.is_working_day(date(2027, 1, 1))  # Friday, New Year's Day
    assert not calendar.is_working_day(date(2027, 1, 2))  # Saturday
    assert not calendar.is_working_day(date(2027, 1, 3))  # Sunday
    assert calendar.is_working_day(date(2027, 1, 4))  # Monday
    assert calendar.holiday_name(date(2027, 1, 4)) is None


def test_a_holiday_on_a_saturday_is_observed_on_the_monday(calendar: WorkCalendar) -> None:
    assert not calendar.is_working_day(date(2027, 5, 1))  # Saturday, Labour Day
    assert not calendar.is_working_day(date(2027, 5, 3))  # Monday, observed


def test_a_make_up_saturday_from_the_public_calendar_counts() -> None:
    # 2024: the Saturday 04/05 was worked in exchange for Thursday 29/04 off.
    calendar = WorkCalendar(years=[2024])
    assert date(2024, 5, 4).weekday() == 5
    assert calendar.is_working_day(date(2024, 5, 4))
    assert calendar.between(date(2024, 5, 3), date(2024, 5, 6)) == 2


def test_between_counts_the_days_after_start_up_to_end(calendar: WorkCalendar) -> None:
    friday, monday = date(2027, 1, 8), date(2027, 1, 11)
    assert calendar.between(friday, monday) == 1
    assert calendar.between(monday, date(2027, 1, 15)) == 4
    assert calendar.between(friday, friday) == 0
    assert calendar.between(monday, friday) == -1
    # A due date on a Sunday: no working day left after the Friday.
    assert calendar.between(friday, date(2027, 1, 10)) == 0
    # Across Tết only the Thursday after it counts.
    assert calendar.between(date(2027, 2, 3), date(2027, 2, 11)) == 1
    assert calendar.between(date(2027, 1, 29), date(2027, 2, 12)) == 5


def test_add_steps_over_weekends_and_tet(calendar: WorkCalendar) -> None:
    assert calendar.add(date(2027, 1, 8), 1) == date(2027, 1, 11)
    assert calendar.add(date(2027, 1, 11), -1) == date(2027, 1, 8)
    assert calendar.add(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert calendar.add(date(2027, 2, 11), -1) == date(2027, 2, 3)
    assert calendar.add(date(2027, 2, 1), 4) == date(2027, 2, 12)
    assert calendar.add(date(2027, 1, 11), 0) == date(2027, 1, 11)
    # From a day off: one step either way lands on the nearest working day.
    saturday = date(2027, 1, 9)
    assert calendar.add(saturday, 1) == date(2027, 1, 11)
    assert calendar.add(saturday, -1) == date(2027, 1, 8)
    assert calendar.next_working_day(date(2027, 2, 5)) == date(2027, 2, 11)
    assert calendar.previous_working_day(date(2027, 2, 11)) == date(2027, 2, 3)
    assert calendar.previous_working_day(date(2027, 1, 4)) == date(2026, 12, 31)


def test_add_and_between_agree(calendar: WorkCalendar) -> None:
    start = date(2027, 1, 4)
    for count in range(1, 60):
        assert calendar.between(start, calendar.add(start, count)) == count


def test_days_outside_the_calendar_are_refused(calendar: WorkCalendar) -> None:
    assert calendar.first_day == date(2026, 1, 1) and calendar.last_day == date(2028, 12, 31)
    with pytest.raises(ValueError, match="outside the calendar"):
        calendar.is_working_day(date(2030, 1, 2))
    with pytest.raises(ValueError, match="outside the calendar"):
        calendar.add(date(2028, 12, 29), 5)


def test_the_admins_exceptions_come_from_the_database(session: Session) -> None:
    bridge, make_up = date(2027, 2, 12), date(2027, 2, 20)  # a Friday off, a Saturday worked
    session.add(CalendarDay(day=bridge, is_working=False, note="Nghỉ bù Tết"))
    session.add(CalendarDay(day=make_up, is_working=True, note="Làm bù ngày 12/02"))
    session.commit()
    calendar = load_calendar(session, years=[2027])
    assert not calendar.is_working_day(bridge)
    assert calendar.is_working_day(make_up)
    assert calendar.next_working_day(date(2027, 2, 11)) == date(2027, 2, 15)
    assert calendar.between(date(2027, 2, 19), date(2027, 2, 22)) == 2
    public = WorkCalendar(years=[2027])
    assert public.is_working_day(bridge) and not public.is_working_day(make_up)
