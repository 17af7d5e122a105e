"""The scheduler: APScheduler 3 with an explicit time zone, run beside the web or on its own.

It is never started inside web workers: `tracker serve` (embedded, one process) and
`tracker scheduler` (production, its own process) are the only places that start it.
Each job runs as one unit of work in an app context.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlmodel import Session

from tracker.accounts.service import purge_login_attempts
from tracker.db import unit_of_work

log = logging.getLogger(__name__)

LOGIN_ATTEMPT_RETENTION = timedelta(days=30)


def _purge_login_attempts(session: Session) -> None:
    removed = purge_login_attempts(session, older_than=LOGIN_ATTEMPT_RETENTION)
    log.info("removed %d old login attempts", removed)


# (job id, what it does, when it runs): every job the deployment schedules.
JOBS: tuple[tuple[str, Callable[[Session], None], dict[str, int]], ...] = (
    ("housekeeping.login_attempts", _purge_login_attempts, {"hour": 3, "minute": 15}),
)


def _in_unit_of_work(app: Flask, job: Callable[[Session], None]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context(), unit_of_work(app.extensions["tracker.engine"]) as session:
            job(session)

    return run


def configure(scheduler: BaseScheduler, app: Flask) -> None:
    """Add every job to `scheduler`, in the deployment's time zone."""
    timezone = app.extensions["tracker.settings"].timezone
    for job_id, job, when in JOBS:
        scheduler.add_job(
            _in_unit_of_work(app, job),
            CronTrigger(timezone=timezone, **when),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )


def start_background_scheduler(app: Flask) -> BackgroundScheduler:
    """A scheduler in a thread of this process (the embedded, one-process set-up)."""
    scheduler = BackgroundScheduler(timezone=app.extensions["tracker.settings"].timezone)
    configure(scheduler, app)
    scheduler.start()
    log.info("scheduler started with %d jobs", len(JOBS))
    return scheduler


def run_blocking_scheduler(app: Flask) -> None:
    """Run the scheduler in the foreground until interrupted (its own process)."""
    scheduler = BlockingScheduler(timezone=app.extensions["tracker.settings"].timezone)
    configure(scheduler, app)
    log.info("scheduler running with %d jobs", len(JOBS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
