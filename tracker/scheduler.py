"""The scheduler: APScheduler 3 with an explicit time zone, run beside the web or on its own.

It is never started inside web workers: `tracker serve` (embedded, one process) and
`tracker scheduler` (production, its own process) are the only places that start it. Only the
elected leader (`tracker.leader`) runs the jobs; each job runs as one unit of work in an app
context.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlmodel import Session

from tracker.accounts.service import purge_login_attempts
from tracker.config import Settings
from tracker.db import unit_of_work, utcnow
from tracker.inbox.planning import plan_inbox
from tracker.leader import ElectedScheduler
from tracker.reminders.planning import plan_day

log = logging.getLogger(__name__)

LOGIN_ATTEMPT_RETENTION = timedelta(days=30)
# A scheduler that starts (or takes over) late still plans the day, but not after office
# hours: a digest at 23:00 would do more harm than good.
PLAN_CATCH_UP_UNTIL_HOUR = 17


def _purge_login_attempts(session: Session, settings: Settings) -> None:
    removed = purge_login_attempts(session, older_than=LOGIN_ATTEMPT_RETENTION)
    log.info("removed %d old login attempts", removed)


def _plan_reminders(session: Session, settings: Settings) -> None:
    """Plan today's digests (plan_day skips days off itself; planning twice adds nothing)."""
    now = utcnow()
    day = now.astimezone(ZoneInfo(settings.timezone)).date()
    summary = plan_day(session, day=day, now=now, settings=settings)
    log.info("planned reminders for %s: %s", day.isoformat(), summary)
    plan_inbox(session, now=now)


def _plan_inbox(session: Session, settings: Settings) -> None:
    """New assignments into the inbox, minutes after they are made (idempotent)."""
    plan_inbox(session, now=utcnow())


@dataclass(frozen=True)
class Job:
    """One scheduled job: what it runs, when (cron fields, local time), and how late it may
    still run. `catch_up`: run at start when today's time has passed within the grace."""

    id: str
    run: Callable[[Session, Settings], None]
    when: dict[str, int]
    misfire_grace_seconds: int = 3600
    catch_up: bool = False


def jobs(settings: Settings) -> tuple[Job, ...]:
    """Every job the deployment schedules."""
    hour = settings.reminders.digest_hour
    plan_grace = max(PLAN_CATCH_UP_UNTIL_HOUR - hour, 1) * 3600
    return (
        Job(
            "reminders.plan",
            _plan_reminders,
            {"hour": hour, "minute": 0},
            misfire_grace_seconds=plan_grace,
            catch_up=True,
        ),
        Job("housekeeping.login_attempts", _purge_login_attempts, {"hour": 3, "minute": 15}),
        # Every minute, at second 0.
        Job("inbox.plan", _plan_inbox, {"second": 0}, misfire_grace_seconds=60),
    )


def _in_unit_of_work(app: Flask, job: Callable[[Session, Settings], None]) -> Callable[[], None]:
    def run() -> None:
        settings = app.extensions["tracker.settings"]
        with app.app_context(), unit_of_work(app.extensions["tracker.engine"]) as session:
            job(session, settings)

    return run


def _catch_up_time(job: Job, zone: ZoneInfo, now: datetime) -> datetime | None:
    """Now, if today's run of `job` is already past but still within its grace; else None."""
    local_now = now.astimezone(zone)
    today_run = local_now.replace(
        hour=job.when.get("hour", 0), minute=job.when.get("minute", 0), second=0, microsecond=0
    )
    if today_run <= local_now < today_run + timedelta(seconds=job.misfire_grace_seconds):
        return local_now
    return None


def configure(scheduler: BaseScheduler, app: Flask, *, now: datetime | None = None) -> None:
    """Add every job to `scheduler`, in the deployment's time zone. A job whose time today
    has just passed (a scheduler started at 08:10) runs at once, then on its schedule."""
    settings: Settings = app.extensions["tracker.settings"]
    zone = ZoneInfo(settings.timezone)
    now = now or utcnow()
    for job in jobs(settings):
        extra: dict[str, datetime] = {}
        if job.catch_up and (late := _catch_up_time(job, zone, now)) is not None:
            extra["next_run_time"] = late
            log.info("%s: today's %02d:00 run was missed, running now", job.id, job.when["hour"])
        scheduler.add_job(
            _in_unit_of_work(app, job.run),
            CronTrigger(timezone=zone, **job.when),
            id=job.id,
            name=job.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_seconds,
            **extra,
        )


def start_background_scheduler(app: Flask) -> ElectedScheduler:
    """A scheduler in a thread of this process (the embedded, one-process set-up)."""
    return ElectedScheduler(app, configure=configure).start()


def stop_on_sigterm(stop: Callable[[], None]) -> None:
    """Call `stop` on SIGTERM; signal handlers can only be set from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop()

    signal.signal(signal.SIGTERM, handler)


def run_blocking_scheduler(app: Flask) -> None:
    """Run the scheduler in the foreground until Ctrl+C or SIGTERM (its own process)."""
    elected = ElectedScheduler(app, configure=configure)
    stop_on_sigterm(elected.stop)
    with contextlib.suppress(KeyboardInterrupt):
        elected.run()
    log.info("scheduler stopped")
