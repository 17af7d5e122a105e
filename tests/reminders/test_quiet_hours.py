"""Quiet hours, days off and each person's own digest time: when a reminder may leave."""

from __future__ import annotations

import dataclasses
import html
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import csrf_token, login_as, make_unit, make_user
from tests.reminders.factories import dispatcher, fake_settings, queue, recipient, rows
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.config import ReminderSettings, load_settings
from tracker.reminders import dispatch, outcomes
from tracker.reminders.models import OutboxMessage
from tracker.reminders.outcomes import Recorder
from tracker.reminders.planning import send_time
from tracker.reminders.quiet import first_allowed, is_quiet
from tracker.reminders.recipients import Person
from tracker.workdays import WorkCalendar

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkCalendar(years=[2027])
QUIET = ReminderSettings()  # 21:00-07:00


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HANOI).astimezone(UTC)


def allowed(moment: datetime, settings: ReminderSettings = QUIET) -> datetime:
    return first_allowed(moment, settings=settings, calendar=CALENDAR, timezone="Asia/Ho_Chi_Minh")


def test_quiet_hours_span_midnight() -> None:
    assert is_quiet(time(21), QUIET) and is_quiet(time(23, 59), QUIET)
    assert is_quiet(time(0), QUIET) and is_quiet(time(6, 59), QUIET)
    assert not is_quiet(time(7), QUIET) and not is_quiet(time(20, 59), QUIET)
    daytime = dataclasses.replace(QUIET, quiet_start=time(12), quiet_end=time(13, 30))
    assert is_quiet(time(12, 15), daytime) and not is_quiet(time(13, 30), daytime)
    off = dataclasses.replace(QUIET, quiet_start=None, quiet_end=None)
    assert not is_quiet(time(3), off)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Tuesday 10:00: allowed as it is.
        (local(date(2027, 1, 12), 10), local(date(2027, 1, 12), 10)),
        # Tuesday 22:30 and 05:00: Wednesday 07:00, Tuesday 07:00.
        (local(date(2027, 1, 12), 22, 30), local(date(2027, 1, 13), 7)),
        (local(date(2027, 1, 12), 5), local(date(2027, 1, 12), 7)),
        # Friday 21:00: Monday 07:00 (the weekend is off).
        (local(date(2027, 1, 15), 21), local(date(2027, 1, 18), 7)),
        # Saturday noon: Monday 07:00.
        (local(date(2027, 1, 16), 12), local(date(2027, 1, 18), 7)),
        # The eve of Tết (Wednesday 03/02, 22:00): Thursday 11/02 07:00, after the holiday.
        (local(date(2027, 2, 3), 22), local(date(2027, 2, 11), 7)),
    ],
)
def test_the_first_allowed_moment(moment: datetime, expected: datetime) -> None:
    assert allowed(moment) == expected


def test_without_quiet_hours_a_day_off_still_waits_for_the_working_day() -> None:
    off = dataclasses.replace(QUIET, quiet_start=None, quiet_end=None)
    assert allowed(local(date(2027, 1, 12), 23), off) == local(date(2027, 1, 12), 23)
    assert allowed(local(date(2027, 1, 16), 12), off) == local(date(2027, 1, 18), 0)


def test_quiet_hours_are_read_from_the_environment() -> None:
    settings = load_settings(env={"TRACKER_REMINDER_QUIET_HOURS": "22:30-06:00"})
    assert (settings.reminders.quiet_start, settings.reminders.quiet_end) == (time(22, 30), time(6))
    assert load_settings(env={"TRACKER_REMINDER_QUIET_HOURS": "off"}).reminders.quiet_start is None
    with pytest.raises(Exception, match="21:00-07:00"):
        load_settings(env={"TRACKER_REMINDER_QUIET_HOURS": "tối"})


def person(digest_time: time | None) -> Person:
    return Person(1, "A", "unit", 1, None, digest_time=digest_time)


def test_each_person_s_digest_leaves_at_their_own_time(app: Flask) -> None:
    settings = app.extensions["tracker.settings"]
    tuesday = date(2027, 1, 12)
    planned_at = local(tuesday, 8)

    def at(digest_time: time | None, now: datetime = planned_at) -> datetime:
        return send_time(
            person(digest_time), day=tuesday, now=now, settings=settings, calendar=CALENDAR
        )

    assert at(None) == local(tuesday, 8)  # the installation's hour
    assert at(time(16, 30)) == local(tuesday, 16, 30)
    # An earlier time than planning: at once.
    assert at(time(7, 15)) == planned_at
    # Planned late (a scheduler that started at 20:50): a 16:30 digest leaves now...
    assert at(time(16, 30), local(tuesday, 20, 50)) == local(tuesday, 20, 50)
    # ... and one planned at 21:10 waits for Wednesday morning, out of the quiet hours.
    assert at(time(16, 30), local(tuesday, 21, 10)) == local(date(2027, 1, 13), 7)


def test_a_retry_is_not_carried_into_the_night_or_the_weekend(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(app.extensions["tracker.engine"], QUIET, worker="w")
    friday = date(2027, 1, 15)
    monkeypatch.setattr(outcomes, "utcnow", lambda: local(friday, 20, 30))
    # A retry at 21:30 on Friday: Monday 07:00; at 20:45, as it is.
    assert recorder.allowed(local(friday, 21, 30)) == local(date(2027, 1, 18), 7)
    assert recorder.allowed(local(friday, 20, 45)) == local(friday, 20, 45)
    # Someone sends on a Saturday on purpose: its retries keep their back-off.
    monkeypatch.setattr(outcomes, "utcnow", lambda: local(date(2027, 1, 16), 10))
    assert recorder.allowed(local(date(2027, 1, 16), 10, 1)) == local(date(2027, 1, 16), 10, 1)


# -- the profile form ---------------------------------------------------------------------


@pytest.fixture
def me(session: Session) -> User:
    user = make_user(session, "unit", unit=make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh"))
    user.username = "mattran"
    session.commit()
    return user


def post_time(client: FlaskClient, value: str) -> TestResponse:
    return client.post(
        "/ho-so/gio-nhac",
        data={"csrf_token": csrf_token(client, "/ho-so"), "digest_time": value},
    )


def test_the_digest_time_is_chosen_on_the_profile_page(
    client: FlaskClient, session: Session, me: User
) -> None:
    login_as(client, "mattran")
    page = html.unescape(client.get("/ho-so").get_data(as_text=True))
    assert "Giờ nhận nhắc việc" in page and "Để trống: 08:00" in page
    assert "từ 08:00 trở đi" in page
    assert "Giờ yên lặng (không gửi gì): 21:00–07:00." in page
    assert post_time(client, "16:30").status_code == 302
    session.refresh(me)
    assert me.digest_time == time(16, 30)
    assert 'value="16:30"' in client.get("/ho-so").get_data(as_text=True)
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "user.digest_time_changed")
    ).one()
    assert event.changes["digest_time"] == [None, "16:30"]
    # Empty: back to the installation's hour.
    assert post_time(client, "").status_code == 302
    session.refresh(me)
    assert me.digest_time is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("22:00", "Từ 21:00 đến 07:00 là giờ yên lặng"),
        ("06:30", "Từ 21:00 đến 07:00 là giờ yên lặng"),
        # Out of the quiet hours but before the digests are made (08:00): it would be 08:00.
        ("07:15", "Bản tin nhắc việc được lập lúc 08:00 mỗi ngày làm việc"),
        ("25:99", "chưa đúng dạng giờ:phút"),
        ("sáng", "chưa đúng dạng giờ:phút"),
    ],
)
def test_a_quiet_or_unreadable_time_is_refused_and_changes_nothing(
    client: FlaskClient, session: Session, me: User, value: str, message: str
) -> None:
    login_as(client, "mattran")
    response = post_time(client, value)
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    session.refresh(me)
    assert me.digest_time is None
    assert session.exec(select(OutboxMessage)).all() == []


# -- the dispatcher -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "sent"),
    [
        # Planned for 16:30 on Friday and found at 16:45: sent.
        (local(date(2027, 1, 15), 16, 45), True),
        # Found only at 22:00 (the dispatcher was down): it waits for Monday 07:00.
        (local(date(2027, 1, 15), 22), False),
        # Found on Saturday: Monday too.
        (local(date(2027, 1, 16), 9), False),
    ],
    ids=["office-time", "late-evening", "saturday"],
)
def test_a_reminder_found_late_waits_out_the_quiet_hours(
    app: Flask,
    engine: Engine,
    session: Session,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    now: datetime,
    sent: bool,
) -> None:
    link = recipient(session, 7001)
    message_id = queue(session, link)
    session.get_one(OutboxMessage, message_id).next_attempt_at = local(date(2027, 1, 15), 16, 30)
    session.commit()
    monkeypatch.setattr(dispatch, "utcnow", lambda: now)
    monkeypatch.setattr(outcomes, "utcnow", lambda: now)

    with dispatcher(engine, fake_settings(app, fake)) as sending:
        summary = sending.run_once()

    assert summary.claimed == 1
    row = rows(session)[message_id]
    if sent:
        assert summary.sent == 1 and len(fake.sent(7001)) == 1
        return
    assert summary.deferred == 1 and fake.sent(7001) == []
    assert (row.status, row.attempts) == ("pending", 0)
    next_attempt = row.next_attempt_at.replace(tzinfo=row.next_attempt_at.tzinfo or UTC)
    assert next_attempt == local(date(2027, 1, 18), 7)
