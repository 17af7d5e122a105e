"""The working calendar's admin: extra days off and make-up working days on top of the public
holidays, and the year as the admin sees it.

Admins only; every change is audited. Functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.audit import service as audit
from tracker.errors import N_, InvalidInput, NotFound
from tracker.i18n import format_date
from tracker.inputs import year_window
from tracker.reminders.admin import require_admin
from tracker.workdays import CalendarDay, WorkCalendar

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name: str
    name_en: str
    is_day_off: bool


@dataclass(frozen=True)
class CalendarYear:
    year: int
    holidays: list[PublicHoliday]
    exceptions: list[CalendarDay]


def _check_year(year: int) -> None:
    first, last = year_window()
    if not first <= year <= last:
        raise InvalidInput(
            N_("Năm {year} nằm ngoài khoảng {first}–{last}: chọn năm khác."),
            year=year,
            first=first,
            last=last,
        )


def _day_off_reason(day: date) -> str:
    name = holidays.VN(years=day.year, language="vi").get(day)
    return str(name) if name else WEEKDAYS[day.weekday()]


def add_calendar_day(
    session: Session, *, actor: User, day: date, is_working: bool, note: str = ""
) -> CalendarDay:
    """Add an extra day off, or a make-up working day (a Saturday worked for a bridge)."""
    require_admin(actor)
    _check_year(day.year)
    note = (note or "").strip()
    if len(note) > 255:
        raise InvalidInput(N_("Ghi chú dài quá 255 ký tự: viết ngắn lại."))
    existing = session.get(CalendarDay, day)
    if existing is not None:
        raise InvalidInput(
            N_("Ngày {day} đã có trong danh sách ngoại lệ. Xóa dòng đó trước nếu muốn đổi."),
            day=format_date(day),
        )
    public = WorkCalendar(years=[day.year])
    if is_working and public.is_working_day(day):
        raise InvalidInput(
            N_(
                "Ngày {day} ({weekday}) vốn là ngày làm việc, không cần thêm làm ngày làm bù. "
                "Ngày làm bù là một thứ Bảy, Chủ nhật hoặc ngày lễ phải đi làm."
            ),
            day=format_date(day),
            weekday=WEEKDAYS[day.weekday()],
        )
    if not is_working and not public.is_working_day(day):
        raise InvalidInput(
            N_("Ngày {day} vốn đã là ngày nghỉ ({reason}), không cần thêm."),
            day=format_date(day),
            reason=_day_off_reason(day),
        )
    row = CalendarDay(day=day, is_working=is_working, note=note, created_by_id=actor.id)
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="calendar_day.added",
        entity_type="calendar_day",
        entity_id=int(day.strftime("%Y%m%d")),
        changes={"day": [None, day], "is_working": [None, is_working], "note": [None, note]},
    )
    session.flush()
    return row


def remove_calendar_day(session: Session, *, actor: User, day: date) -> CalendarDay:
    """Take an exception off the calendar: the day is as the public calendar says again."""
    require_admin(actor)
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound(
            N_("Ngày {day} không có trong danh sách ngoại lệ (có thể đã được xóa)."),
            day=format_date(day),
        )
    audit.record(
        session,
        actor=actor,
        action="calendar_day.removed",
        entity_type="calendar_day",
        entity_id=int(day.strftime("%Y%m%d")),
        changes={
            "day": [day, None],
            "is_working": [row.is_working, None],
            "note": [row.note, None],
        },
    )
    session.delete(row)
    session.flush()
    return row


def calendar_year(session: Session, *, actor: User, year: int) -> CalendarYear:
    """The year's public holidays (named in Vietnamese) and the deployment's exceptions."""
    require_admin(actor)
    _check_year(year)
    exceptions = list(
        session.exec(
            select(CalendarDay)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(col(CalendarDay.day))
        ).all()
    )
    calendar = WorkCalendar(
        years=[year],
        extra_days_off=[row.day for row in exceptions if not row.is_working],
        extra_working_days=[row.day for row in exceptions if row.is_working],
    )
    english = holidays.VN(years=year)
    try:
        vietnamese = holidays.VN(years=year, language="vi")
    except (KeyError, ValueError):  # an older package without the Vietnamese names
        vietnamese = english
    found = [
        PublicHoliday(
            day=day,
            name=str(vietnamese.get(day) or name),
            name_en=str(name),
            is_day_off=not calendar.is_working_day(day),
        )
        for day, name in sorted(english.items())
    ]
    return CalendarYear(year=year, holidays=found, exceptions=exceptions)
