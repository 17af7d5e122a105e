"""The Sender contract (tracker.notify.base.Sender): whatever goes wrong, a send ends as a
Delivery or one DeliveryError, never a raw exception the dispatcher would have to guess about."""

from __future__ import annotations

import pytest

from tracker.config import TelegramSettings
from tracker.notify.base import Outgoing, TemporaryFailure
from tracker.notify.telegram import TelegramSender


def test_a_telegram_message_that_cannot_be_composed_is_a_temporary_failure() -> None:
    # Nothing listens there: the test proves the failure comes before any request.
    sender = TelegramSender(
        TelegramSettings(token="1:X", base_url="http://127.0.0.1:9/bot", timeout_seconds=1)
    )
    broken = Outgoing(
        message_id=7,
        channel="telegram",
        address="1001",
        subject="",
        body="Nhắc việc",
        items=[{"actionable": True, "code": "1.1"}],  # no assignment id for the buttons
    )
    try:
        with pytest.raises(TemporaryFailure, match="KeyError") as failure:
            sender.send(broken)
        assert failure.value.parts_sent == 0
    finally:
        sender.close()
