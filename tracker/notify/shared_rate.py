"""One rate limit shared by every dispatcher process: a token bucket kept in PostgreSQL (one
row, updated atomically with the database's clock) or in Redis (a Lua script, Redis's clock).

The bucket holds at most one token and gains `per_second` tokens a second, so grants are
spaced 1/per_second apart whichever process asks: N dispatchers together stay under the
limit with no burst. Each take is its own tiny transaction (autocommit), never inside the
caller's unit of work. On SQLite with one dispatcher the in-process Pacer alone suffices.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Column, Engine, Float, String, Table, text
from sqlmodel import SQLModel

# In SQLModel's metadata so the migrations check (models == head) covers it.
rate_bucket = Table(
    "rate_bucket",
    SQLModel.metadata,
    Column("name", String(32), primary_key=True),
    Column("tokens", Float, nullable=False),
    # The database's clock, in seconds since the epoch, at the last take.
    Column("updated", Float, nullable=False),
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
CAPACITY = 1.0


class SharedBucket(Protocol):
    def take(self) -> float:
        """0 when a request may go now (its token is taken), else the seconds to wait."""
        ...


class PostgresBucket:
    """The bucket as one row of rate_bucket (PostgreSQL only: it uses its clock and locks)."""

    def __init__(self, engine: Engine, *, name: str, per_second: float) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._name, self._rate = name, per_second
        with self._engine.connect() as connection:
            connection.execute(_CREATE, {"name": name})

    def take(self) -> float:
        with self._engine.connect() as connection:
            tokens = connection.execute(
                _TAKE, {"name": self._name, "rate": self._rate, "capacity": CAPACITY}
            ).scalar_one()
        return 0.0 if tokens >= 1 else (1 - tokens) / self._rate


class RedisBucket:
    """The bucket as a Redis hash, changed by one Lua script (atomic in Redis)."""

    def __init__(self, url: str, *, name: str, per_second: float) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=5)
        self._script = self._client.register_script(_REDIS_TAKE)
        self._key, self._rate = f"dondoc:rate:{name}", per_second

    def take(self) -> float:
        return float(self._script(keys=[self._key], args=[CAPACITY, self._rate]))


def shared_bucket(
    engine: Engine, *, redis_url: str, name: str, per_second: float
) -> SharedBucket | None:
    """Redis when configured, else PostgreSQL's row; None on SQLite (one dispatcher)."""
    if redis_url:
        return RedisBucket(redis_url, name=name, per_second=per_second)
    if engine.dialect.name == "postgresql":
        return PostgresBucket(engine, name=name, per_second=per_second)
    return None
