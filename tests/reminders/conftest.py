"""Fixtures for the reminder tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.telegram_api import FakeTelegram, running_fake_telegram


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """The fake Telegram Bot API, running on 127.0.0.1 for the test."""
    with running_fake_telegram() as server:
        yield server
