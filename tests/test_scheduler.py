"""The scheduler runs its jobs in the deployment's time zone, each as one unit of work; the
reminder plan fires at 08:00 local time, catches up when started late, and is safe twice."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlmodel import Session, select

from tests.fakes.telegram_api import TOKEN, running_fake_telegram
from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker import scheduler
from tracker.accounts.models import ChatLink, LoginAttempt
from tracker.config import TelegramSettings
from tracker.db import utcnow
from tracker.reminders import admin as reminders_admin
from tracker.reminders import runner
from tracker.reminders.models import OutboxMessage
from tracker.workdays import CalendarDay, load_calendar

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
WEDNESDAY = date(2027, 1, 13)
SATURDAY = date(2027, 1, 16)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time in Hà Nội, as the aware UTC moment the code sees."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def paused() -> Iterator[BackgroundScheduler]:
    background = BackgroundScheduler(timezone="UTC")
    yield background
    background.shutdown(wait=False)


def test_jobs_use_the_configured_time_zone(app: Flask, paused: BackgroundScheduler) -> None:
    scheduler.configure(paused, app, now=at(WEDNESDAY, 7, 30))
    paused.start(paused=True)
    jobs = {job.id: job for job in paused.get_jobs()}
    assert set(jobs) == {"reminders.plan", "housekeeping.login_attempts", "inbox.plan"}
    for job in jobs.values():
        assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
    housekeeping = jobs["housekeeping.login_attempts"].trigger
    next_run = housekeeping.get_next_fire_time(None, at(WEDNESDAY, 7, 30).astimezone(ZONE))
    assert (next_run.hour, next_run.minute) == (3, 15)
    inbox = jobs["inbox.plan"].trigger
    first = inbox.get_next_fire_time(None, at(WEDNESDAY, 7, 30).astimezone(ZONE))
    assert inbox.get_next_fire_time(first, first + timedelta(seconds=1)) - first == timedelta(
        minutes=1
    )


def test_the_plan_fires_at_eight_in_the_morning_local_time(
    app: Flask, paused: BackgroundScheduler
) -> None:
    scheduler.configure(paused, app, now=at(WEDNESDAY, 7, 30))
    paused.start(paused=True)
    plan = paused.get_job("reminders.plan")
    fires = plan.trigger.get_next_fire_time(None, at(WEDNESDAY, 7, 30).astimezone(ZONE))
    assert fires == at(WEDNESDAY, 8)
    assert fires.astimezone(UTC).hour == 1  # 08:00 in Hà Nội is 01:00 UTC
    # Started before 08:00 there is nothing to catch up: the first run is at 08:00.
    assert plan.next_run_time.astimezone(ZONE).time() == time(8, 0)


def test_a_scheduler_started_at_0810_still_plans_the_day(
    app: Flask, paused: BackgroundScheduler
) -> None:
    scheduler.configure(paused, app, now=at(WEDNESDAY, 8, 10))
    paused.start(paused=True)
    plan = paused.get_job("reminders.plan")
    assert plan.next_run_time == at(WEDNESDAY, 8, 10)
    assert plan.misfire_grace_time >= 3600


def test_no_catch_up_after_office_hours(app: Flask, paused: BackgroundScheduler) -> None:
    scheduler.configure(paused, app, now=at(WEDNESDAY, 17, 30))
    paused.start(paused=True)
    plan = paused.get_job("reminders.plan")
    # Not now: the next morning's 08:00 (a digest at 17:30 would come too late to act on).
    assert plan.next_run_time.astimezone(ZONE).time() == time(8, 0)


def test_the_digest_hour_comes_from_the_settings(app: Flask, paused: BackgroundScheduler) -> None:
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = replace(
        settings, reminders=replace(settings.reminders, digest_hour=7)
    )
    scheduler.configure(paused, app, now=at(WEDNESDAY, 7, 5))
    paused.start(paused=True)
    plan = paused.get_job("reminders.plan")
    assert plan.next_run_time == at(WEDNESDAY, 7, 5)  # caught up: 07:00 has just passed
    fires = plan.trigger.get_next_fire_time(None, at(WEDNESDAY, 7, 5).astimezone(ZONE))
    assert fires == at(WEDNESDAY + timedelta(days=1), 7)


def test_housekeeping_forgets_only_old_login_attempts(
    app: Flask, session: Session, paused: BackgroundScheduler
) -> None:
    now = utcnow()
    session.add(
        LoginAttempt(username="old", remote_addr="1.1.1.1", attempted_at=now - timedelta(days=31))
    )
    session.add(
        LoginAttempt(username="recent", remote_addr="1.1.1.1", attempted_at=now - timedelta(days=1))
    )
    session.commit()
    scheduler.configure(paused, app)
    paused.start(paused=True)
    paused.get_job("housekeeping.login_attempts").func()
    session.expire_all()
    assert [a.username for a in session.exec(select(LoginAttempt)).all()] == ["recent"]


def _unit_user_with_work_due(session: Session, *, day: date) -> tuple[int, date]:
    """A unit user linked on Telegram, with a published assignment due 3 working days after
    `day`."""
    unit = make_unit(session, "VP", "Văn phòng")
    user = make_user(session, "unit", unit=unit, username="vanphong")
    session.add(ChatLink(user_id=user.id, channel="telegram", external_id="5550001"))
    session.flush()
    due = load_calendar(session, years=[day.year]).add(day, 3)
    make_assignment(session, make_notice(session), unit, code="2.1", due=due)
    session.commit()
    return user.id, due


@pytest.fixture
def telegram_app(app: Flask) -> Flask:
    """The app with a Telegram token, so the channel counts as configured."""
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = replace(settings, telegram=TelegramSettings(token="1:x"))
    return app


def _run_plan_job(
    app: Flask, now: datetime, monkeypatch: pytest.MonkeyPatch, times: int = 1
) -> None:
    monkeypatch.setattr(scheduler, "utcnow", lambda: now)
    background = BackgroundScheduler(timezone="UTC")
    scheduler.configure(background, app, now=now)
    background.start(paused=True)
    try:
        for _ in range(times):
            background.get_job("reminders.plan").func()
    finally:
        background.shutdown(wait=False)


def test_the_plan_job_inserts_the_days_digests_once_even_when_run_twice(
    telegram_app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, due = _unit_user_with_work_due(session, day=WEDNESDAY)
    _run_plan_job(telegram_app, at(WEDNESDAY, 8), monkeypatch, times=2)
    rows = session.exec(select(OutboxMessage)).all()
    assert len(rows) == 1
    (message,) = rows
    assert (message.user_id, message.channel, message.day) == (user_id, "telegram", WEDNESDAY)
    assert message.address == "5550001"
    assert [(item["rule"], item["code"], item["days"]) for item in message.items] == [
        ("before_due", "2.1", 3)
    ]
    assert due.strftime("%d/%m/%Y") in message.body


def test_the_local_date_is_the_plans_day_even_before_utc_midnight(
    telegram_app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 06:30 on Wednesday in Hà Nội is 23:30 on Tuesday in UTC: the day planned is Wednesday.
    _unit_user_with_work_due(session, day=WEDNESDAY)
    _run_plan_job(telegram_app, at(WEDNESDAY, 6, 30), monkeypatch)
    assert {row.day for row in session.exec(select(OutboxMessage)).all()} == {WEDNESDAY}


def test_nothing_is_planned_on_a_sunday_but_a_make_up_saturday_is_planned(
    telegram_app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.add(CalendarDay(day=SATURDAY, is_working=True, note="Làm bù"))
    _unit_user_with_work_due(session, day=SATURDAY)
    _run_plan_job(telegram_app, at(SATURDAY + timedelta(days=1), 8), monkeypatch)
    assert session.exec(select(OutboxMessage)).all() == []
    _run_plan_job(telegram_app, at(SATURDAY, 8), monkeypatch)
    assert [row.day for row in session.exec(select(OutboxMessage)).all()] == [SATURDAY]


@pytest.mark.bots
def test_the_embedded_dispatcher_delivers_a_test_message(app: Flask, session: Session) -> None:
    with running_fake_telegram() as fake:
        fake.enforce_limits = False
        settings = app.extensions["tracker.settings"]
        app.extensions["tracker.settings"] = replace(
            settings,
            telegram=TelegramSettings(token=TOKEN, base_url=fake.base_url, timeout_seconds=5.0),
        )
        admin = make_user(session, "admin", username="quantri")
        unit = make_unit(session, "VP", "Văn phòng")
        target = make_user(session, "unit", unit=unit, username="vanphong")
        session.add(ChatLink(user_id=target.id, channel="telegram", external_id="4242"))
        session.commit()
        queued = reminders_admin.queue_test_message(
            session,
            actor=admin,
            user_id=target.id,
            channel="telegram",
            now=utcnow(),
            settings=app.extensions["tracker.settings"],
        )
        session.commit()
        thread, stop = runner.start_dispatcher_thread(app)
        try:
            fake.wait_for(lambda server: server.sent("4242"), timeout=20)
        finally:
            stop.set()
            thread.join(timeout=20)
        assert not thread.is_alive()
    (delivered,) = fake.sent("4242")
    assert delivered["text"].startswith("Tin nhắn thử từ Đôn Đốc lúc ")
    session.expire_all()
    assert session.get(OutboxMessage, queued.id).status == "sent"
