"""Only one scheduler per database runs the jobs: a PostgreSQL advisory lock (or, on SQLite, a
file lock); a second scheduler waits as standby and takes over when the first goes away."""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask
from sqlalchemy import make_url

from tests.conftest import POSTGRES_PROBLEM, POSTGRES_SKIP_REASON, POSTGRES_URL
from tracker import create_app
from tracker.leader import ElectedScheduler, SchedulerLock

SQLITE_URL = "sqlite:///unused.sqlite3"
HOLDER = """
import sys
from pathlib import Path
from tracker.leader import SchedulerLock
lock = SchedulerLock(database_url=sys.argv[1], lock_file=Path(sys.argv[2]), key=int(sys.argv[3]))
assert lock.acquire(), "the holder could not take the lock"
print("held", flush=True)
sys.stdin.read()
"""


def eventually(condition: Callable[[], bool], seconds: float = 8.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def key() -> int:
    """A lock key of this test's own, so parallel runs never meet."""
    return random.randrange(1, 2**62)


def no_jobs(_scheduler: BaseScheduler, _app: Flask) -> None:
    """Elections only: the jobs themselves are tested in test_scheduler.py."""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Callable[[str, int], subprocess.Popen[str]]]:
    """Starts another process that takes the lock and keeps it until killed."""
    started: list[subprocess.Popen[str]] = []

    def start(url: str, key: int) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, url, str(tmp_path / "scheduler.lock"), str(key)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held"
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _app(url: str, tmp_path: Path) -> Flask:
    return create_app(
        environment="testing",
        database_url=url,
        instance_path=tmp_path / "instance",
        secret_key="test-secret",
    )


# SQLite: a file lock -----------------------------------------------------------------------


def test_the_file_lock_is_exclusive_between_two_lock_objects(tmp_path: Path) -> None:
    first = SchedulerLock(database_url=SQLITE_URL, lock_file=tmp_path / "scheduler.lock")
    second = SchedulerLock(database_url=SQLITE_URL, lock_file=tmp_path / "scheduler.lock")
    assert first.acquire() and first.is_held
    assert not second.acquire() and not second.is_held
    assert first.acquire()  # taking it again is harmless
    first.release()
    assert not first.is_held
    assert second.acquire() and second.is_held
    second.release()


def test_the_file_lock_is_exclusive_between_processes(
    tmp_path: Path, holder: Callable[[str, int], subprocess.Popen[str]], key: int
) -> None:
    other = holder(SQLITE_URL, key)
    lock = SchedulerLock(database_url=SQLITE_URL, lock_file=tmp_path / "scheduler.lock")
    assert not lock.acquire()
    other.send_signal(signal.SIGKILL)  # the holder dies without cleaning up
    assert eventually(lock.acquire, seconds=5)
    lock.release()


def test_a_replaced_lock_file_means_the_lock_is_lost(tmp_path: Path) -> None:
    lock = SchedulerLock(database_url=SQLITE_URL, lock_file=tmp_path / "scheduler.lock")
    assert lock.acquire()
    (tmp_path / "scheduler.lock").unlink()  # someone cleaned the instance folder
    assert not lock.is_held
    lock.release()


def test_two_embedded_schedulers_on_one_sqlite_database_run_one_set_of_jobs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tracker.leader")
    app = _app(f"sqlite:///{tmp_path / 'tracker.sqlite3'}", tmp_path)
    first = ElectedScheduler(app, configure=no_jobs, retry_seconds=0.1, check_seconds=0.1).start()
    second = ElectedScheduler(app, configure=no_jobs, retry_seconds=0.1, check_seconds=0.1)
    try:
        assert first.wait_until_leader(5)
        second.start()
        assert eventually(lambda: "standby" in caplog.text, seconds=5)
        assert not second.is_leader
        first.shutdown()
        assert not first.is_leader
        assert second.wait_until_leader(5)
        assert second.scheduler is not None and second.scheduler.running
    finally:
        first.shutdown()
        second.shutdown()


# PostgreSQL: an advisory lock on a connection of its own ------------------------------------


def _terminate(lock: SchedulerLock) -> None:
    """Kill the lock's server session from outside, as a lost connection would."""
    assert lock._connection is not None
    pid = lock._connection.info.backend_pid
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_PROBLEM is not None, reason=POSTGRES_SKIP_REASON)
def test_a_second_holder_cannot_take_the_advisory_lock(tmp_path: Path, key: int) -> None:
    first = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "a", key=key)
    second = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "b", key=key)
    try:
        assert first.acquire() and first.is_held
        assert not second.acquire() and not second.is_held
        first.release()
        assert not first.is_held
        assert second.acquire() and second.is_held
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_PROBLEM is not None, reason=POSTGRES_SKIP_REASON)
def test_the_lock_connection_notices_a_dead_peer_within_a_minute_on_both_ends(
    tmp_path: Path, key: int
) -> None:
    lock = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "a", key=key)
    try:
        assert lock.acquire()
        connection = lock._connection
        assert connection is not None
        # The server's end: it frees the lock of a leader whose machine died.
        server = {
            name: int(connection.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
        }
        assert server == {
            "tcp_keepalives_idle": 10,
            "tcp_keepalives_interval": 5,
            "tcp_keepalives_count": 3,
        }
        # The leader's end: the socket itself probes a silent server.
        # (A duplicate of its descriptor: closing it leaves the connection open.)
        with socket.socket(fileno=os.dup(connection.fileno())) as sock:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
            idle = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
            interval = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL)
            count = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)
        assert lock.is_held
        assert (idle, interval, count) == (10, 5, 3)
        assert idle + interval * count < 60
    finally:
        lock.release()


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_PROBLEM is not None, reason=POSTGRES_SKIP_REASON)
def test_the_lock_is_free_once_its_connection_closes(tmp_path: Path, key: int) -> None:
    first = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "a", key=key)
    second = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "b", key=key)
    try:
        assert first.acquire()
        _terminate(first)
        assert not first.is_held  # it notices the connection is gone
        assert eventually(second.acquire, seconds=5)
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_PROBLEM is not None, reason=POSTGRES_SKIP_REASON)
def test_a_standby_scheduler_takes_over_when_the_leader_process_dies(
    tmp_path: Path,
    key: int,
    holder: Callable[[str, int], subprocess.Popen[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tracker.leader")
    leader = holder(POSTGRES_URL, key)
    lock = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "b", key=key)
    standby = ElectedScheduler(
        _app(POSTGRES_URL, tmp_path),
        configure=no_jobs,
        lock=lock,
        retry_seconds=0.2,
        check_seconds=0.2,
    ).start()
    try:
        assert eventually(lambda: "standby" in caplog.text, seconds=5)
        assert not standby.is_leader
        leader.send_signal(signal.SIGKILL)
        started = time.monotonic()
        assert standby.wait_until_leader(5)
        assert time.monotonic() - started < 5
    finally:
        standby.shutdown()
    assert not lock.is_held  # given back on shutdown


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_PROBLEM is not None, reason=POSTGRES_SKIP_REASON)
def test_a_leader_that_loses_its_lock_connection_stops_and_waits_again(
    tmp_path: Path, key: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tracker.leader")
    app = _app(POSTGRES_URL, tmp_path)
    first_lock = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "a", key=key)
    second_lock = SchedulerLock(database_url=POSTGRES_URL, lock_file=tmp_path / "b", key=key)
    first = ElectedScheduler(
        app, configure=no_jobs, lock=first_lock, retry_seconds=5, check_seconds=0.1
    ).start()
    second = ElectedScheduler(
        app, configure=no_jobs, lock=second_lock, retry_seconds=0.1, check_seconds=0.1
    )
    try:
        assert first.wait_until_leader(5)
        jobs_runner = first.scheduler
        second.start()
        _terminate(first_lock)
        assert eventually(lambda: not first.is_leader, seconds=5)
        assert "scheduler lock lost" in caplog.text
        assert jobs_runner is not None and not jobs_runner.running  # its jobs stopped
        assert second.wait_until_leader(5)  # the other one took over
        assert not first.is_leader
    finally:
        first.shutdown()
        second.shutdown()
