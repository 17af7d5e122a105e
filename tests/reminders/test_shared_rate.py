"""One Telegram rate limit for every dispatcher: four dispatchers (threads, each with its own
Pacer, as separate processes would have) send through the fake Bot API, which answers 429
above 30 messages a second; together they stay under the limit only with the shared bucket."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from tests.fakes.telegram_api import TOKEN, FakeTelegram, running_fake_telegram
from tracker.notify.pacing import Pacer
from tracker.notify.shared_rate import (
    PostgresBucket,
    RedisBucket,
    SharedBucket,
    SharedChatLimit,
    shared_bucket,
    shared_chat_limit,
)

# Rates and waits measured against the clock: run alone (see the `serial` marker).
pytestmark = pytest.mark.serial

DISPATCHERS = 4
EACH = 30
PER_SECOND = 28.0


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram() as server:
        yield server


def run_dispatchers(fake: FakeTelegram, buckets: list[SharedBucket | None]) -> float:
    """Every dispatcher sends EACH messages to chats of its own; returns the seconds taken."""

    def dispatcher(number: int, bucket: SharedBucket | None) -> None:
        pacer = Pacer(per_second=PER_SECOND, per_chat_seconds=1.0, shared=bucket)
        with httpx.Client(base_url=f"{fake.base_url}{TOKEN}") as client:
            for index in range(EACH):
                chat = str(10_000 * (number + 1) + index)
                while (wait := pacer.next_slot(chat)) > 0:
                    time.sleep(wait)
                try:
                    client.post("/sendMessage", json={"chat_id": chat, "text": "Nhắc việc"})
                finally:
                    pacer.done(chat)

    threads = [
        threading.Thread(target=dispatcher, args=(number, bucket))
        for number, bucket in enumerate(buckets)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return time.monotonic() - started


def assert_shared_limit_kept(fake: FakeTelegram, seconds: float) -> None:
    total = DISPATCHERS * EACH
    assert fake.rate_limit_hits == 0
    assert len(fake.sent()) == total  # each message once
    rate = total / seconds
    print(f"{total} messages from {DISPATCHERS} dispatchers in {seconds:.2f} s: {rate:.1f}/s")
    assert PER_SECOND * 0.8 <= rate <= 30.0


def test_dispatchers_sharing_the_postgresql_bucket_stay_under_telegram_s_limit(
    engine: Engine, fake: FakeTelegram
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one dispatcher: its own Pacer is the limit")
    name = f"t{uuid.uuid4().hex[:12]}"
    buckets = [
        shared_bucket(engine, redis_url="", name=name, per_second=PER_SECOND)
        for _ in range(DISPATCHERS)
    ]
    assert all(bucket is not None for bucket in buckets)
    assert_shared_limit_kept(fake, run_dispatchers(fake, buckets))


def test_dispatchers_sharing_the_redis_bucket_stay_under_telegram_s_limit(
    fake: FakeTelegram,
) -> None:
    url = _redis_or_skip()
    name = f"t{uuid.uuid4().hex[:12]}"
    buckets: list[SharedBucket | None] = [
        RedisBucket(url, name=name, per_second=PER_SECOND) for _ in range(DISPATCHERS)
    ]
    assert_shared_limit_kept(fake, run_dispatchers(fake, buckets))


def test_without_a_shared_bucket_four_dispatchers_overrun_the_limit(fake: FakeTelegram) -> None:
    """What the shared bucket prevents: each process pacing itself alone sends 4 × 28/s."""
    run_dispatchers(fake, [None] * DISPATCHERS)
    assert fake.rate_limit_hits > 0


def chat_limits(engine: Engine, redis_url: str = "") -> list[SharedChatLimit]:
    channel = f"t{uuid.uuid4().hex[:6]}"
    return [
        SharedChatLimit(
            None if redis_url else engine,
            redis_url=redis_url,
            channel=channel,
            per_chat_seconds=1.0,
        )
        for _ in range(2)
    ]


def test_two_dispatchers_share_each_chat_s_limit_in_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one dispatcher: its own Pacer keeps the chat's limit")
    assert shared_chat_limit(engine, redis_url="", channel="telegram", per_chat_seconds=1.0)
    first, second = chat_limits(engine)
    a = Pacer(per_second=None, shared_chats=first)
    b = Pacer(per_second=None, shared_chats=second)
    assert a.next_slot("42") == 0
    a.done("42")
    # The other dispatcher must wait about a second before it writes to the same chat...
    wait = b.next_slot("42")
    assert 0.5 < wait <= 1.0
    # ... but another chat is free at once, and a group (negative id) gets 20 a minute.
    assert b.next_slot("43") == 0
    assert b.next_slot("-1001") == 0
    b.done("-1001")
    assert 2.0 < second.take("-1001") <= 3.0
    time.sleep(wait + 0.05)
    assert b.next_slot("42") == 0


def test_a_chat_token_waits_with_its_request_for_the_channel_token(engine: Engine) -> None:
    """A request that got its chat's token but not the channel's keeps the chat's token: it
    is not refused by its own chat when it asks again."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's shared buckets")
    (chats, _) = chat_limits(engine)
    channel = shared_bucket(engine, redis_url="", name=f"t{uuid.uuid4().hex[:12]}", per_second=1)
    pacer = Pacer(per_second=None, shared=channel, shared_chats=chats)
    assert pacer.next_slot("7") == 0  # both tokens
    pacer.done("7")
    assert pacer.next_slot("8") > 0  # the chat's token taken, the channel's not yet
    time.sleep(1.0)
    assert pacer.next_slot("8") == 0


def test_two_dispatchers_share_each_chat_s_limit_in_redis() -> None:
    url = _redis_or_skip()
    first, second = chat_limits(None, url)  # type: ignore[arg-type]
    assert first.take("42") == 0
    assert 0.5 < second.take("42") <= 1.0
    assert second.take("43") == 0


def _redis_or_skip() -> str:
    url = "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).ping()
    except Exception:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return url


def _granted(bucket: SharedBucket) -> int:
    """Take the bucket's next grant (the tokens refill fast here); its id."""
    deadline = time.monotonic() + 2
    while (wait := bucket.take()) > 0:
        assert time.monotonic() < deadline, "the bucket never granted"
        time.sleep(min(wait, 0.01))
    assert bucket.last_grant is not None
    return bucket.last_grant


def _window_holds(bucket: SharedBucket, window: int) -> None:
    """Grants spaced evenly can still arrive together; the window counts the requests not yet
    finished and those finished within the last second, and grants nothing while it is full."""
    grants = [_granted(bucket) for _ in range(window)]
    assert len(set(grants)) == window
    time.sleep(0.01)  # tokens enough: only the window holds the next one back
    assert bucket.take() > 0
    bucket.finished(grants[0])
    time.sleep(0.2)
    assert bucket.take() > 0  # finished, but within the last second: still counted
    time.sleep(1.0)
    _granted(bucket)  # a second after it finished, its place in the window is free
    assert bucket.take() > 0  # full again: two in flight and the new one


def test_the_postgresql_bucket_grants_nothing_while_its_window_is_full(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's shared buckets")
    name = f"w{uuid.uuid4().hex[:12]}"
    _window_holds(PostgresBucket(engine, name=name, per_second=1000.0, window=3), 3)


def test_the_redis_bucket_grants_nothing_while_its_window_is_full() -> None:
    name = f"w{uuid.uuid4().hex[:12]}"
    _window_holds(RedisBucket(_redis_or_skip(), name=name, per_second=1000.0, window=3), 3)
