"""One rate limit shared by every dispatcher process: a token bucket kept in PostgreSQL (one
row, updated atomically with the database's clock) or in Redis (a Lua script, Redis's clock).
The per-chat limit is shared the same way: one small bucket per chat (SharedChatLimit).

The bucket gains `per_second` tokens a second, so grants are spaced about 1/per_second apart
whichever process asks: N dispatchers together stay under the limit. Each chat's bucket holds
one token (no burst); the channel's bucket holds two, so a late asker catches up, and its
window (below) keeps every second within Telegram's limit. Each take is its own tiny
transaction, never inside the caller's unit of work. On SQLite with one dispatcher the
in-process Pacer alone suffices.

Evenly spaced grants are not evenly spaced arrivals: on a busy machine a request may wait
between its grant and the server, then arrive with the next ones. So each grant is kept
(PostgreSQL: rate_grant; Redis: a sorted set) until its request has finished, and no new one
is granted while `window` requests (Telegram's 30) are in flight or finished within the last
second: a request reaches the server between its grant and its finish, so whatever the delays,
the server never sees more than `window` requests in any one second (as the in-process Pacer
does for one).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy import BigInteger, Column, Engine, Float, Index, String, Table, text
from sqlmodel import SQLModel

log = logging.getLogger(__name__)

# In SQLModel's metadata so the migrations check (models == head) covers it.
rate_bucket = Table(
    "rate_bucket",
    SQLModel.metadata,
    Column("name", String(32), primary_key=True),
    Column("tokens", Float, nullable=False),
    # The database's clock, in seconds since the epoch, at the last take.
    Column("updated", Float, nullable=False),
)

# A grant of the bucket whose request has not finished yet, or finished within a second.
rate_grant = Table(
    "rate_grant",
    SQLModel.metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("name", String(32), nullable=False),
    # The database's clock when granted and when the request finished (NULL: in flight).
    Column("granted", Float, nullable=False),
    Column("done", Float, nullable=True),
    Index("ix_rate_grant_name_granted", "name", "granted"),
)
# A grant never reported finished (its dispatcher died) stops counting after this long.
STALE_GRANT_SECONDS = 120.0
FORGET_GRANTS_EVERY = 200

_LOCK_BUCKET = text(
    "SELECT tokens, updated, EXTRACT(EPOCH FROM clock_timestamp())::float8 "
    "FROM rate_bucket WHERE name = :name FOR UPDATE"
)
_IN_WINDOW = text(
    "SELECT count(*), min(done) FROM rate_grant WHERE name = :name "
    "AND granted > :clock - :stale AND (done IS NULL OR done > :clock - 1)"
)
_GRANT = text("INSERT INTO rate_grant (name, granted) VALUES (:name, :clock) RETURNING id")
_SET_TOKENS = text("UPDATE rate_bucket SET tokens = :tokens, updated = :clock WHERE name = :name")
_FINISHED = text("UPDATE rate_grant SET done = :done WHERE id = :id")
_FORGET_GRANTS = text(
    "DELETE FROM rate_grant WHERE name = :name AND (done < :clock - 2 OR granted < :clock - :stale)"
)

_TAKE = text(
    """
    WITH current AS (
        SELECT LEAST(:capacity, tokens + GREATEST(clock - updated, 0) * :rate) AS tokens, clock
        FROM rate_bucket, (SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8 AS clock) AS c
        WHERE name = :name
        FOR UPDATE OF rate_bucket
    )
    UPDATE rate_bucket
    SET tokens = CASE WHEN current.tokens >= 1 THEN current.tokens - 1 ELSE current.tokens END,
        updated = current.clock
    FROM current
    WHERE rate_bucket.name = :name
    RETURNING current.tokens
    """
)
_CREATE = text(
    "INSERT INTO rate_bucket (name, tokens, updated) "
    "VALUES (:name, 1, EXTRACT(EPOCH FROM clock_timestamp())) ON CONFLICT (name) DO NOTHING"
)
_REDIS_TAKE = """
local capacity, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local kept = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(kept[1]) or capacity
local updated = tonumber(kept[2]) or now
tokens = math.min(capacity, tokens + math.max(now - updated, 0) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""
# The channel's bucket in Redis with its window: KEYS[1] the bucket, KEYS[2] the grants in
# flight (a sorted set scored by when granted), KEYS[3] the grants finished (scored by when),
# KEYS[4] the grants' counter. Returns {wait, grant}: grant -1 when nothing was granted.
_REDIS_TAKE_WINDOWED = """
local capacity, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local window, stale = tonumber(ARGV[3]), tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - stale)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 1)
local busy = redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
local kept = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(kept[1]) or 1
local updated = tonumber(kept[2]) or now
tokens = math.min(capacity, tokens + math.max(now - updated, 0) * rate)
local wait, grant = 0, -1
if tokens < 1 then
  wait = (1 - tokens) / rate
elseif busy >= window then
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if oldest[2] then wait = math.max(tonumber(oldest[2]) + 1 - now, 0.002) else wait = 0.01 end
else
  tokens = tokens - 1
  grant = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[2], now, grant)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], 3600) end
return {tostring(wait), grant}
"""
# A grant's request has finished: out of the flight, into the last second's finished ones.
_REDIS_FINISHED = """
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
for i = 1, #ARGV do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then redis.call('ZADD', KEYS[2], now, ARGV[i]) end
end
return 0
"""
CAPACITY = 1.0
# PostgreSQL's channel bucket may hold two tokens: a dispatcher that asks a little late (a
# database round trip, a sleep that overran) catches up instead of losing the slot for good.
# The window of grants in flight keeps any second at Telegram's limit all the same.
WINDOWED_CAPACITY = 2.0
# Telegram's own limit: messages in any one second, whatever the spacing asked for.
TELEGRAM_PER_SECOND_LIMIT = 30


_CREATE_CHAT = text(
    "INSERT INTO rate_bucket (name, tokens, updated) "
    "VALUES (:name, :capacity, EXTRACT(EPOCH FROM clock_timestamp())) "
    "ON CONFLICT (name) DO NOTHING"
)
_FORGET_IDLE_CHATS = text(
    "DELETE FROM rate_bucket WHERE name LIKE :prefix "
    "AND updated < EXTRACT(EPOCH FROM clock_timestamp()) - :idle"
)
# Telegram: about one message a second to one chat, and 20 a minute to a group (a group's or
# a channel's id is negative).
GROUP_PER_MINUTE = 20
# A chat's bucket unused this long is forgotten (it would be full again anyway).
CHAT_IDLE_SECONDS = 3600
FORGET_EVERY = 1000


Item = TypeVar("Item")


def _written_in_background(
    name: str, write: Callable[[list[Item]], None]
) -> queue.SimpleQueue[Item]:
    """A queue whose items a thread of its own hands to `write`, as many at once as have
    come: the caller (the Telegram sender's event loop) never waits for the store. A failed
    write is logged; its grants then stop counting once stale."""
    pending: queue.SimpleQueue[Item] = queue.SimpleQueue()

    def run() -> None:
        while True:
            batch = [pending.get()]
            while not pending.empty():
                batch.append(pending.get_nowait())
            try:
                write(batch)
            except Exception:  # the store away: those grants go stale after a while
                log.exception("recording %d finished Telegram requests failed", len(batch))

    threading.Thread(target=run, name=f"rate-{name}", daemon=True).start()
    return pending


class SharedBucket(Protocol):
    def take(self) -> float:
        """0 when a request may go now (its token is taken), else the seconds to wait."""
        ...

    # The grant of the last take that returned 0 (read right after it, under the caller's
    # lock), for finished(); None where grants are not kept.
    last_grant: int | None

    def finished(self, grant: int | None) -> None:
        """The request of `grant` has finished (delivered or not)."""
        ...


class PostgresBucket:
    """The bucket as one row of rate_bucket and the grants in flight as rows of rate_grant
    (PostgreSQL only: it uses its clock and row locks)."""

    def __init__(
        self, engine: Engine, *, name: str, per_second: float, window: int | None = None
    ) -> None:
        self._engine = engine
        self._name, self._rate = name, per_second
        self._window = window or int(per_second) + 1
        self._takes = 0
        self.last_grant: int | None = None
        # Finished grants are written by a thread of their own: the caller (the Telegram
        # sender's event loop) must not wait for the database after each request. The time
        # of the finish is this process's clock moved to the database's by `_offset`, taken
        # at each take as (the database's clock during it) - (ours just before it): never
        # less than the true offset, so a request is never counted shorter than it lasted.
        self._offset = 0.0
        self._finished = _written_in_background(name, self._write_finished)
        with self._engine.connect() as connection:
            connection.execute(_CREATE, {"name": name})
            connection.commit()

    def take(self) -> float:
        before = time.time()
        with self._engine.begin() as connection:
            tokens, updated, clock = connection.execute(_LOCK_BUCKET, {"name": self._name}).one()
            self._offset = clock - before
            tokens = min(WINDOWED_CAPACITY, tokens + max(clock - updated, 0.0) * self._rate)
            key = {"name": self._name, "clock": clock, "stale": STALE_GRANT_SECONDS}
            busy, oldest_done = connection.execute(_IN_WINDOW, key).one()
            wait = 0.0
            if tokens < 1:
                wait = (1 - tokens) / self._rate
            elif busy >= self._window:
                # Full: wait until the oldest finished request leaves the window (or, all in
                # flight, a moment).
                wait = max(oldest_done + 1 - clock, 0.002) if oldest_done else 0.01
            else:
                tokens -= 1
                self.last_grant = connection.execute(_GRANT, key).scalar_one()
            connection.execute(_SET_TOKENS, {"tokens": tokens, **key})
            self._takes += 1
            if self._takes % FORGET_GRANTS_EVERY == 0:
                connection.execute(_FORGET_GRANTS, key)
        return wait

    def finished(self, grant: int | None) -> None:
        if grant is not None:
            self._finished.put((grant, time.time() + self._offset))

    def _write_finished(self, grants: list[tuple[int, float]]) -> None:
        with self._engine.connect() as connection:
            connection.execute(_FINISHED, [{"id": g, "done": at} for g, at in grants])
            connection.commit()


class RedisBucket:
    """The bucket as a Redis hash and its window as two sorted sets, each change one Lua script
    (atomic in Redis, on Redis's clock): the same rule as PostgresBucket."""

    def __init__(
        self, url: str, *, name: str, per_second: float, window: int | None = None
    ) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=5)
        self._take = self._client.register_script(_REDIS_TAKE_WINDOWED)
        self._finish = self._client.register_script(_REDIS_FINISHED)
        key = f"dondoc:rate:{name}"
        self._keys = [key, f"{key}:flight", f"{key}:done", f"{key}:grants"]
        self._rate = per_second
        self._window = window or int(per_second) + 1
        self.last_grant: int | None = None
        # As PostgresBucket: finishes are written by a thread of their own, so that the sender
        # never waits for Redis after a request; Redis stamps them a little late, which only
        # counts a request longer than it lasted, never shorter.
        self._finished = _written_in_background(name, self._write_finished)

    def take(self) -> float:
        args = [WINDOWED_CAPACITY, self._rate, self._window, STALE_GRANT_SECONDS]
        wait, grant = self._take(keys=self._keys, args=args)
        if int(grant) >= 0:
            self.last_grant = int(grant)
        return float(wait)

    def finished(self, grant: int | None) -> None:
        if grant is not None:
            self._finished.put(grant)

    def _write_finished(self, grants: list[int]) -> None:
        self._finish(keys=self._keys[1:3], args=grants)


class SharedChatLimit:
    """Telegram's per-chat limit for every dispatcher together: a bucket of one token per chat
    (in rate_bucket, or a Redis key that expires), refilled at 1/per_chat_seconds a second
    (GROUP_PER_MINUTE a minute for a group)."""

    def __init__(
        self,
        engine: Engine | None,
        *,
        redis_url: str = "",
        channel: str,
        per_chat_seconds: float,
    ) -> None:
        self._prefix = f"{channel}:chat:"
        self._private_rate = 1.0 / per_chat_seconds
        self._takes = 0
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT") if engine else None
        self._redis = None
        if redis_url:
            import redis

            client = redis.Redis.from_url(redis_url, socket_timeout=5)
            self._redis = client.register_script(_REDIS_TAKE)

    def rate(self, chat: str) -> float:
        """Tokens a second for `chat`."""
        return GROUP_PER_MINUTE / 60.0 if chat.startswith("-") else self._private_rate

    def take(self, chat: str) -> float:
        """0 when a message may go to `chat` now (its token is taken), else the seconds to wait."""
        name, rate = f"{self._prefix}{chat}"[:32], self.rate(chat)
        if self._redis is not None:
            return float(self._redis(keys=[f"dondoc:rate:{name}"], args=[CAPACITY, rate]))
        assert self._engine is not None
        with self._engine.connect() as connection:
            connection.execute(_CREATE_CHAT, {"name": name, "capacity": CAPACITY})
            tokens = connection.execute(
                _TAKE, {"name": name, "rate": rate, "capacity": CAPACITY}
            ).scalar_one()
            self._takes += 1
            if self._takes % FORGET_EVERY == 0:
                connection.execute(
                    _FORGET_IDLE_CHATS, {"prefix": f"{self._prefix}%", "idle": CHAT_IDLE_SECONDS}
                )
        return 0.0 if tokens >= 1 else (1 - tokens) / rate


def shared_chat_limit(
    engine: Engine, *, redis_url: str, channel: str, per_chat_seconds: float
) -> SharedChatLimit | None:
    """Redis when configured, else PostgreSQL's table; None on SQLite (one dispatcher)."""
    if not per_chat_seconds:
        return None
    if redis_url or engine.dialect.name == "postgresql":
        return SharedChatLimit(
            None if redis_url else engine,
            redis_url=redis_url,
            channel=channel,
            per_chat_seconds=per_chat_seconds,
        )
    return None


def shared_bucket(
    engine: Engine, *, redis_url: str, name: str, per_second: float
) -> SharedBucket | None:
    """Redis when configured, else PostgreSQL's row; None on SQLite (one dispatcher)."""
    window = max(int(per_second) + 1, TELEGRAM_PER_SECOND_LIMIT)
    if redis_url:
        return RedisBucket(redis_url, name=name, per_second=per_second, window=window)
    if engine.dialect.name == "postgresql":
        return PostgresBucket(engine, name=name, per_second=per_second, window=window)
    return None
