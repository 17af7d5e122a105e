"""One reading of "wait this long" for every channel (tracker.notify.retry_after)."""

from datetime import UTC, datetime, timedelta

import pytest

from tracker.notify.retry_after import retry_after_seconds

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7.0),  # Telegram, older python-telegram-bot
        (timedelta(seconds=12), 12.0),  # Telegram with PTB_TIMEDELTA
        ("30", 30.0),  # HTTP Retry-After in seconds
        ("Mon, 02 Mar 2026 08:02:00 GMT", 120.0),  # HTTP Retry-After as a date
        ("soon", 60.0),  # unreadable: the channel's default
        (None, 60.0),
        ("", 60.0),
        ("nan", 60.0),
        ("-5", 1.0),  # never less than asked for
        ("Mon, 02 Mar 2026 07:00:00 GMT", 1.0),  # a date gone by
    ],
)
def test_every_form_of_the_wait_reads_the_same(value: object, expected: float) -> None:
    assert retry_after_seconds(value, default=60.0, at_least=1.0, now=NOW) == expected  # type: ignore[arg-type]
