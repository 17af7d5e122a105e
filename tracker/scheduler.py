"""The scheduler: APScheduler 3 with an explicit time zone, run beside the web or on its own.

It is never started inside web workers: `tracker serve` (embedded, one process) and
`tracker scheduler` (production, its own process) are the only places that start it. Only one
scheduler per database runs its jobs: the one holding the `SchedulerLock` (a PostgreSQL
advisory lock, or a file lock beside an SQLite set-up); any other waits as standby and takes
over when the holder dies. Each job runs as one unit of work in an app context.

The outbox dispatcher is started from here as well: a thread in the embedded set-up, or the
loop of a `tracker dispatcher` process (several may run at once on PostgreSQL).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO
from zoneinfo import ZoneInfo

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import make_url
from sqlmodel import Session

from tracker.accounts.service import purge_login_attempts
from tracker.config import Settings
from tracker.db import unit_of_work, utcnow
from tracker.reminders.dispatch import Dispatcher, build_senders
from tracker.reminders.planning import plan_day

log = logging.getLogger(__name__)

LOGIN_ATTEMPT_RETENTION = timedelta(days=30)
# A scheduler that starts (or takes over) late still plans the day, but not after office
# hours: a digest at 23:00 would do more harm than good.
PLAN_CATCH_UP_UNTIL_HOUR = 17
LOCK_RETRY_SECONDS = 5.0
LOCK_CHECK_SECONDS = 5.0
# The PostgreSQL advisory lock that elects the scheduler ("DonDoc" and 1, as a bigint).
ADVISORY_LOCK_KEY = 0x446F6E446F630001


def _purge_login_attempts(session: Session, settings: Settings) -> None:
    removed = purge_login_attempts(session, older_than=LOGIN_ATTEMPT_RETENTION)
    log.info("removed %d old login attempts", removed)


def _plan_reminders(session: Session, settings: Settings) -> None:
    """Plan today's digests (plan_day skips days off itself; planning twice adds nothing)."""
    now = utcnow()
    day = now.astimezone(ZoneInfo(settings.timezone)).date()
    summary = plan_day(session, day=day, now=now, settings=settings)
    log.info("planned reminders for %s: %s", day.isoformat(), summary)


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
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_seconds,
            **extra,
        )


class SchedulerLock:
    """The right to run the scheduler's jobs, for one scheduler per database.

    On PostgreSQL: `pg_try_advisory_lock` held on a connection of its own for as long as the
    process leads; when the process dies its connection closes and the lock is free. On
    SQLite (one machine): an exclusive non-blocking `flock` on a file in the instance folder,
    released by the kernel when the process ends. `acquire()` never waits.
    """

    def __init__(self, *, database_url: str, lock_file: Path, key: int = ADVISORY_LOCK_KEY) -> None:
        self.url = make_url(database_url)
        self.lock_file = lock_file
        self.key = key
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self._connection: psycopg.Connection | None = None
        self._file: IO[str] | None = None
        self._guard = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> SchedulerLock:
        return cls(
            database_url=settings.database_url,
            lock_file=settings.instance_path / "scheduler.lock",
        )

    @property
    def description(self) -> str:
        if self.is_postgres:
            return f"PostgreSQL advisory lock {self.key}"
        return f"lock file {self.lock_file}"

    def acquire(self) -> bool:
        """Take the lock if it is free; True when this object holds it afterwards."""
        with self._guard:
            if self.is_postgres:
                return self._acquire_advisory()
            return self._acquire_file()

    @property
    def is_held(self) -> bool:
        """Still ours: the lock connection answers and holds the lock (PostgreSQL), or the
        locked file is still the one at the path (SQLite)."""
        with self._guard:
            if self.is_postgres:
                return self._advisory_still_held()
            return self._file_still_held()

    def release(self) -> None:
        """Give the lock back (nothing happens when it is not held)."""
        with self._guard:
            if self._connection is not None:
                connection, self._connection = self._connection, None
                try:
                    connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
                except psycopg.Error:
                    pass  # the connection is gone, and the lock with it
                finally:
                    connection.close()
            if self._file is not None:
                handle, self._file = self._file, None
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                handle.close()

    # PostgreSQL

    def _conninfo(self) -> str:
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _acquire_advisory(self) -> bool:
        if self._connection is not None and self._advisory_still_held():
            return True
        try:
            connection = psycopg.connect(
                self._conninfo(),
                autocommit=True,
                connect_timeout=5,
                application_name="don-doc scheduler",
                # Notice a dead server in seconds, not in the kernel's two hours.
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
            )
        except psycopg.Error as error:
            log.warning("scheduler lock: the database does not answer (%s)", error)
            return False
        try:
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except psycopg.Error as error:
            log.warning("scheduler lock: asking for the lock failed (%s)", error)
            connection.close()
            return False
        if not (row and row[0]):
            connection.close()
            return False
        self._connection = connection
        return True

    def _advisory_still_held(self) -> bool:
        connection = self._connection
        if connection is None or connection.closed:
            self._connection = None
            return False
        try:
            row = connection.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid::bigint = %s AND objid::bigint = %s"
                " AND objsubid = 1",
                (self.key >> 32, self.key & 0xFFFFFFFF),
            ).fetchone()
        except psycopg.Error as error:
            log.warning("scheduler lock: its database connection was lost (%s)", error)
            row = None
        if row and row[0]:
            return True
        self._connection = None
        connection.close()
        return False

    # SQLite: a file lock

    def _acquire_file(self) -> bool:
        if self._file is not None:
            return True
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_file, "a+", encoding="utf-8")  # noqa: SIM115  (kept open)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        # Who holds it, for the person who wonders why their scheduler is on standby.
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {socket.gethostname()}\n")
        handle.flush()
        self._file = handle
        return True

    def _file_still_held(self) -> bool:
        if self._file is None:
            return False
        try:
            same = os.fstat(self._file.fileno()).st_ino == os.stat(self.lock_file).st_ino
        except OSError:
            same = False
        return same


class ElectedScheduler:
    """Runs the jobs only while this process holds the scheduler lock; otherwise waits as
    standby, retrying every few seconds, and takes over when the holder goes away. If the
    lock is lost (its database connection dropped), the jobs stop and it is standby again."""

    def __init__(
        self,
        app: Flask,
        *,
        lock: SchedulerLock | None = None,
        retry_seconds: float = LOCK_RETRY_SECONDS,
        check_seconds: float = LOCK_CHECK_SECONDS,
    ) -> None:
        self.app = app
        self.settings: Settings = app.extensions["tracker.settings"]
        self.lock = lock or SchedulerLock.for_settings(self.settings)
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._leading = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        """Whether this process is the one running the jobs right now."""
        return self._leading.is_set()

    def wait_until_leader(self, timeout: float) -> bool:
        return self._leading.wait(timeout)

    def run(self) -> None:
        """Until `stop()`: take the lock when free, run the jobs while holding it."""
        in_standby = False
        try:
            while not self._stop.is_set():
                if not self.lock.acquire():
                    if not in_standby:
                        log.info(
                            "scheduler standby: the lock (%s) is held by another scheduler "
                            "or cannot be reached; retrying every %.0f s",
                            self.lock.description,
                            self.retry_seconds,
                        )
                        in_standby = True
                    self._stop.wait(self.retry_seconds)
                    continue
                in_standby = False
                self._lead()
        finally:
            self.lock.release()

    def _lead(self) -> None:
        scheduler = BackgroundScheduler(timezone=ZoneInfo(self.settings.timezone))
        configure(scheduler, self.app)
        scheduler.start()
        self.scheduler = scheduler
        self._leading.set()
        log.info(
            "scheduler active (%s) with jobs %s",
            self.lock.description,
            ", ".join(job.id for job in scheduler.get_jobs()),
        )
        try:
            while not self._stop.wait(self.check_seconds):
                if not self.lock.is_held:
                    log.warning("scheduler lock lost: jobs stopped, back to standby")
                    break
        finally:
            self._leading.clear()
            self.scheduler = None
            scheduler.shutdown(wait=False)
            self.lock.release()

    def start(self) -> ElectedScheduler:
        """Run in a daemon thread of this process."""
        self._thread = threading.Thread(target=self.run, name="tracker-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def shutdown(self, wait: bool = True) -> None:
        """Stop the jobs and give the lock back (waiting for the thread when `wait`)."""
        self.stop()
        if self._thread is not None and wait:
            self._thread.join(timeout=30)


def start_background_scheduler(app: Flask) -> ElectedScheduler:
    """A scheduler in a thread of this process (the embedded, one-process set-up)."""
    return ElectedScheduler(app).start()


def _stop_on_sigterm(stop: Callable[[], None]) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop()

    signal.signal(signal.SIGTERM, handler)


def run_blocking_scheduler(app: Flask) -> None:
    """Run the scheduler in the foreground until Ctrl+C or SIGTERM (its own process)."""
    elected = ElectedScheduler(app)
    _stop_on_sigterm(elected.stop)
    with contextlib.suppress(KeyboardInterrupt):
        elected.run()
    log.info("scheduler stopped")


def _worker_name(role: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{role}"[:64]


def run_dispatcher(
    app: Flask,
    *,
    stop: threading.Event | None = None,
    until_idle: bool = False,
    worker: str | None = None,
    idle_sleep: float = 2.0,
) -> None:
    """Send outbox messages until `stop` is set (or, `until_idle`, until none is due)."""
    settings: Settings = app.extensions["tracker.settings"]
    engine = app.extensions["tracker.engine"]
    stop = stop or threading.Event()
    senders = build_senders(settings, engine)
    name = worker or _worker_name("dispatch")
    # The dispatcher closes its senders and sending threads on the way out.
    with app.app_context(), Dispatcher(engine, settings, senders, worker=name) as dispatcher:
        if until_idle:
            summary = dispatcher.run_until_idle()
            log.info("dispatcher %s idle: %s", name, summary)
        else:
            dispatcher.run_forever(stop, idle_sleep=idle_sleep)


def run_dispatcher_process(app: Flask, *, until_idle: bool = False) -> None:
    """`tracker dispatcher`: one dispatcher loop in the foreground until Ctrl+C or SIGTERM."""
    stop = threading.Event()
    _stop_on_sigterm(stop.set)
    try:
        run_dispatcher(app, stop=stop, until_idle=until_idle)
    except KeyboardInterrupt:
        stop.set()


def start_dispatcher_thread(app: Flask) -> tuple[threading.Thread, threading.Event]:
    """One dispatcher in a daemon thread (the embedded set-up); set the event to stop it."""
    stop = threading.Event()

    def run() -> None:
        try:
            run_dispatcher(app, stop=stop, worker=_worker_name("embedded"))
        except Exception:
            log.exception("the embedded dispatcher stopped on an error")

    thread = threading.Thread(target=run, name="tracker-dispatcher", daemon=True)
    thread.start()
    return thread, stop
