"""Leader election for the scheduler: only one scheduler per database runs its jobs.

The one holding the `SchedulerLock` (a PostgreSQL advisory lock, or a file lock beside an
SQLite set-up) leads; any other waits as standby and takes over when the holder dies. What the
leader schedules is passed in (`tracker.scheduler.configure`), so this module knows no jobs.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask
from sqlalchemy import make_url

from tracker.config import Settings

log = logging.getLogger(__name__)

LOCK_RETRY_SECONDS = 5.0
LOCK_CHECK_SECONDS = 5.0
# The PostgreSQL advisory lock that elects the scheduler ("DonDoc" and 1, as a bigint).
ADVISORY_LOCK_KEY = 0x446F6E446F630001
# TCP keepalive on the lock's connection, on both ends: after KEEPALIVE_IDLE quiet seconds a
# probe every KEEPALIVE_INTERVAL, and the peer is dead after KEEPALIVE_COUNT unanswered ones.
# A leader whose machine dies (no FIN, no RST) is noticed by PostgreSQL, which then frees the
# lock for a standby, after 10 + 3 × 5 = 25 s instead of the kernel's default of over two hours;
# the leader likewise notices a dead server.
KEEPALIVE_IDLE = 10
KEEPALIVE_INTERVAL = 5
KEEPALIVE_COUNT = 3
KEEPALIVE_SETTINGS: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": KEEPALIVE_IDLE,
    "keepalives_interval": KEEPALIVE_INTERVAL,
    "keepalives_count": KEEPALIVE_COUNT,
    # The server's side of the same connection (per-session settings any role may set).
    "options": (
        f"-c tcp_keepalives_idle={KEEPALIVE_IDLE} "
        f"-c tcp_keepalives_interval={KEEPALIVE_INTERVAL} "
        f"-c tcp_keepalives_count={KEEPALIVE_COUNT}"
    ),
}


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
        """The deployment's lock: on its database, or a file in its instance folder."""
        return cls(
            database_url=settings.database_url,
            lock_file=settings.instance_path / "scheduler.lock",
        )

    @property
    def description(self) -> str:
        """Which lock this is, for the log."""
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
                **KEEPALIVE_SETTINGS,
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
    lock is lost (its database connection dropped), the jobs stop and it is standby again.
    `configure` adds the jobs to each fresh APScheduler it starts on taking the lead."""

    def __init__(
        self,
        app: Flask,
        *,
        configure: Callable[[BaseScheduler, Flask], None],
        lock: SchedulerLock | None = None,
        retry_seconds: float = LOCK_RETRY_SECONDS,
        check_seconds: float = LOCK_CHECK_SECONDS,
    ) -> None:
        self.app = app
        self.configure = configure
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
        """Wait up to `timeout` seconds for this process to lead; True if it does."""
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
                # A leader that lost its lock steps back for a round, so a standby that is
                # healthy wins rather than the one whose connection just failed.
                self._stop.wait(self.retry_seconds)
        finally:
            self.lock.release()

    def _lead(self) -> None:
        scheduler = BackgroundScheduler(timezone=ZoneInfo(self.settings.timezone))
        self.configure(scheduler, self.app)
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
        """Ask `run()` to stop the jobs and return, without waiting for it."""
        self._stop.set()

    def shutdown(self, wait: bool = True) -> None:
        """Stop the jobs and give the lock back (waiting for the thread when `wait`)."""
        self.stop()
        if self._thread is not None and wait:
            self._thread.join(timeout=30)
