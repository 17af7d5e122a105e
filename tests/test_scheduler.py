"""The scheduler runs its jobs in the deployment's time zone, each as one unit of work."""

from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlmodel import Session, select

from tracker import scheduler
from tracker.accounts.models import LoginAttempt
from tracker.db import utcnow


def test_jobs_use_the_configured_time_zone(app: Flask) -> None:
    background = BackgroundScheduler(timezone="UTC")
    scheduler.configure(background, app)
    background.start(paused=True)
    try:
        job = background.get_job("housekeeping.login_attempts")
        assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
        next_run = job.trigger.get_next_fire_time(None, datetime.now(job.trigger.timezone))
        assert (next_run.hour, next_run.minute) == (3, 15)
    finally:
        background.shutdown(wait=False)


def test_housekeeping_forgets_only_old_login_attempts(app: Flask, session: Session) -> None:
    now = utcnow()
    session.add(
        LoginAttempt(username="old", remote_addr="1.1.1.1", attempted_at=now - timedelta(days=31))
    )
    session.add(
        LoginAttempt(username="recent", remote_addr="1.1.1.1", attempted_at=now - timedelta(days=1))
    )
    session.commit()
    background = BackgroundScheduler()
    scheduler.configure(background, app)
    background.start(paused=True)
    try:
        background.get_job("housekeeping.login_attempts").func()
    finally:
        background.shutdown(wait=False)
    session.expire_all()
    assert [a.username for a in session.exec(select(LoginAttempt)).all()] == ["recent"]
