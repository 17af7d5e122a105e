"""Sign-in guesses, counted so that parallel sign-ins cannot get past the limit.

A guess is taken before the password is checked, with one atomic upsert per counter (the
username, and the client address with a looser limit for shared offices) that returns the new
count: only the requests that got a count within the limit check a password, however many
arrive at once. PostgreSQL takes the counter row's lock for the upsert; SQLite runs one writer
at a time.

Each function runs in a transaction of its own and commits, on purpose: a failed sign-in
rolls the request back, and its guess must count all the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, case, delete, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from tracker.accounts.models import LoginAttempt, LoginThrottle
from tracker.errors import N_, RateLimited
from tracker.tables import table_of

# One address trying many names is guessing too; shared offices get this many times the limit.
ADDRESS_FACTOR = 4


def name_key(username: str) -> str:
    return f"name:{username}"[:80]


def address_key(remote_addr: str) -> str:
    return f"addr:{remote_addr}"[:80]


def take_guess(
    engine: Engine,
    *,
    username: str,
    remote_addr: str,
    max_failures: int,
    window: timedelta,
    now: datetime,
) -> None:
    """Count one guess for `username` and `remote_addr` (committed); RateLimited when either
    has had its share in the current window, before any password is looked at."""
    with engine.begin() as connection:
        by_name = _count(connection, name_key(username), now=now, window=window)
        by_address = _count(connection, address_key(remote_addr), now=now, window=window)
    if by_name > max_failures or by_address > max_failures * ADDRESS_FACTOR:
        minutes = max(int(window.total_seconds() // 60), 1)
        raise RateLimited(
            N_(
                "Đăng nhập sai quá nhiều lần. Vui lòng chờ {minutes} phút rồi thử lại, "
                "hoặc liên hệ quản trị viên để đặt lại mật khẩu."
            ),
            minutes=minutes,
        )


def settle(
    engine: Engine, *, username: str, remote_addr: str, succeeded: bool, now: datetime
) -> None:
    """Record the attempt (committed). A success forgets the username's failures and gives
    the address its guess back, so colleagues behind one proxy do not lock each other out."""
    with engine.begin() as connection:
        connection.execute(
            table_of(LoginAttempt)
            .insert()
            .values(
                username=username, remote_addr=remote_addr, attempted_at=now, succeeded=succeeded
            )
        )
        if not succeeded:
            return
        table = table_of(LoginThrottle)
        connection.execute(delete(table).where(table.c.key == name_key(username)))
        connection.execute(
            update(table)
            .where(table.c.key == address_key(remote_addr), table.c.guesses > 0)
            .values(guesses=table.c.guesses - 1)
        )


def purge(engine: Engine, *, older_than: timedelta, now: datetime) -> int:
    """Forget counters whose window ended long ago; returns how many went."""
    table = table_of(LoginThrottle)
    with engine.begin() as connection:
        result = connection.execute(
            delete(table).where(table.c.window_started_at < now - older_than)
        )
    return int(result.rowcount or 0)


def _count(connection: Connection, key: str, *, now: datetime, window: timedelta) -> int:
    """One more guess under `key`; a window older than `window` starts afresh. One statement."""
    table = table_of(LoginThrottle)
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    moment = literal(now, type_=table.c.window_started_at.type)
    expired = table.c.window_started_at <= literal(
        now - window, type_=table.c.window_started_at.type
    )
    statement = (
        insert(table)
        .values(key=key, window_started_at=now, guesses=1)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "guesses": case((expired, 1), else_=table.c.guesses + 1),
                "window_started_at": case((expired, moment), else_=table.c.window_started_at),
            },
        )
        .returning(table.c.guesses)
    )
    return int(connection.execute(statement).scalar_one())
