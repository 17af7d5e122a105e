"""The Zalo sender (our httpx client) against the fake Zalo platform over real HTTP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, SQLModel

from tests.fakes.zalo_oa import (
    FIRST_REFRESH_TOKEN,
    TEMPLATE_ID,
    FakeZalo,
    Fault,
    running_fake_zalo,
)
from tests.helpers import make_user
from tracker.db import make_engine, utcnow
from tracker.notify.base import (
    DeliveryError,
    MaybeDelivered,
    Outgoing,
    PermanentFailure,
    RateLimitedByChannel,
    TemporaryFailure,
)
from tracker.notify.models import ChannelToken
from tracker.notify.text import split_message, to_plain
from tracker.notify.zalo import TEXT_LIMIT, ZaloSender, normalize_phone
from tracker.reminders.models import OutboxMessage

pytestmark = pytest.mark.bots

FOLLOWER = "8412000000000000001"
BODY = "<b>Nhắc việc hôm nay</b>\nNhiệm vụ 1.1: Báo cáo sơ kết &amp; đề xuất, hạn 09/03/2026"


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    with running_fake_zalo() as fake:
        yield fake


@pytest.fixture
def sender(zalo: FakeZalo, engine: Engine) -> Iterator[ZaloSender]:
    zalo_sender = ZaloSender(zalo.settings(), engine)
    yield zalo_sender
    zalo_sender.close()


@pytest.fixture
def quick_sender(zalo: FakeZalo) -> Iterator[ZaloSender]:
    """For the error-code tables, which do not depend on the database: in-memory SQLite."""
    memory = make_engine("sqlite://")
    SQLModel.metadata.create_all(memory)
    zalo_sender = ZaloSender(zalo.settings(), memory)
    yield zalo_sender
    zalo_sender.close()
    memory.dispose()


def message(**overrides: Any) -> Outgoing:
    values: dict[str, Any] = {
        "message_id": 1,
        "channel": "zalo",
        "address": FOLLOWER,
        "subject": "Đôn Đốc: nhắc việc",
        "body": BODY,
        "items": [{"assignment_id": 7, "rule": "before_due", "code": "1.1", "actionable": True}],
        "phone": "0912 345 678",
        "last_interaction_at": utcnow() - timedelta(days=2),
    }
    values.update(overrides)
    return Outgoing(**values)


def stored_token(engine: Engine) -> ChannelToken:
    with Session(engine) as session:
        row = session.get(ChannelToken, "zalo")
        assert row is not None
        return row


# -- what goes out ------------------------------------------------------------------------


def test_a_consultation_message_reaches_a_follower_inside_the_window(
    zalo: FakeZalo, sender: ZaloSender, engine: Engine
) -> None:
    delivery = sender.send(message())

    assert zalo.messages(FOLLOWER) == [
        "Nhắc việc hôm nay\nNhiệm vụ 1.1: Báo cáo sơ kết & đề xuất, hạn 09/03/2026"
    ]
    assert delivery.parts_sent == 1 and delivery.external_id
    # The token row was seeded from the settings and the first refresh token spent.
    row = stored_token(engine)
    assert (row.access_token, row.refresh_token) == ("access-1", "refresh-1")
    assert [call.body["refresh_token"] for call in zalo.calls_to("oauth")] == [FIRST_REFRESH_TOKEN]
    assert zalo.calls_to("cs")[0].headers["access_token"] == "access-1"


def test_a_failed_part_reports_how_many_went_first_and_the_retry_sends_only_the_rest(
    zalo: FakeZalo, sender: ZaloSender
) -> None:
    body = "\n".join(f"<b>{n}.</b> " + "Triển khai nhiệm vụ " * 40 for n in range(1, 9))
    expected = [to_plain(part) for part in _parts(body)]
    assert len(expected) >= 3 and all(len(part) <= TEXT_LIMIT for part in expected)

    sender.send(message(body=body))  # warm the token, all parts once
    assert zalo.messages(FOLLOWER) == expected
    zalo.calls.clear()

    # Part 2 of the next send fails: parts_sent says one got through.
    zalo.faults.append(Fault(endpoint="cs", error=-200, message="Send message failed", after=1))
    with pytest.raises(TemporaryFailure) as failure:
        sender.send(message(body=body))
    assert failure.value.parts_sent == 1
    zalo.calls.clear()

    delivery = sender.send(message(body=body, parts_sent=1))
    assert zalo.messages(FOLLOWER) == expected[1:]
    assert delivery.parts_sent == len(expected)


def _parts(body: str) -> list[str]:
    return split_message(body, TEXT_LIMIT)


def test_outside_the_window_a_zns_template_goes_to_the_normalised_phone(
    zalo: FakeZalo, sender: ZaloSender, session: Session
) -> None:
    user = make_user(session, "head")
    row = OutboxMessage(
        user_id=user.id,
        channel="zalo",
        day=date.today(),
        covers="c" * 64,
        address=FOLLOWER,
        body=BODY,
    )
    session.add(row)
    session.commit()
    items = [
        {"assignment_id": 7, "rule": "before_due"},
        {"assignment_id": 8, "rule": "overdue"},
        {"assignment_id": 7, "rule": "due_today"},
    ]

    delivery = sender.send(
        message(
            message_id=row.id,
            items=items,
            last_interaction_at=utcnow() - timedelta(days=9),
            recipient_name=user.full_name,
        )
    )

    assert zalo.messages() == []
    [sent] = zalo.zns_messages()
    today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
    assert sent == {
        "phone": "84912345678",
        "template_id": TEMPLATE_ID,
        "template_data": {"name": user.full_name, "count": "2", "date": today},
        "tracking_id": str(row.id),
    }
    assert delivery.external_id and delivery.parts_sent == 1


def test_a_follower_who_never_wrote_is_outside_the_window(
    zalo: FakeZalo, quick_sender: ZaloSender
) -> None:
    quick_sender.send(message(last_interaction_at=None))
    assert len(zalo.zns_messages()) == 1 and zalo.messages() == []


def test_outside_the_window_without_a_template_is_a_permanent_failure(
    zalo: FakeZalo, engine: Engine
) -> None:
    no_template = ZaloSender(zalo.settings(zns_template_id=""), engine)
    with pytest.raises(PermanentFailure) as failure:
        no_template.send(message(last_interaction_at=utcnow() - timedelta(days=8)))
    assert "Ngoài khung tương tác Zalo" in failure.value.reason
    assert failure.value.link_is_dead is False
    assert zalo.calls == []  # not even a token refresh
    no_template.close()


def test_outside_the_window_without_a_phone_is_a_permanent_failure(
    zalo: FakeZalo, quick_sender: ZaloSender
) -> None:
    with pytest.raises(PermanentFailure) as failure:
        quick_sender.send(message(phone=None, last_interaction_at=utcnow() - timedelta(days=30)))
    assert "chưa có số điện thoại" in failure.value.reason
    assert failure.value.link_is_dead is False
    assert zalo.calls == []


def test_when_zalo_says_the_window_closed_the_template_is_used(
    zalo: FakeZalo, sender: ZaloSender
) -> None:
    zalo.outside_window.add(FOLLOWER)
    sender.send(message(last_interaction_at=utcnow() - timedelta(days=6, hours=23)))
    assert [call.error for call in zalo.calls_to("cs")] == [-230]
    assert [sent["phone"] for sent in zalo.zns_messages()] == ["84912345678"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "84912345678"),
        ("0912 345 678", "84912345678"),
        ("+84 912.345.678", "84912345678"),
        ("84912345678", "84912345678"),
        ("(024) 3825-1234", "842438251234"),
        ("912345678", None),
        ("0912", None),
        ("", None),
        ("abc", None),
    ],
)
def test_phone_numbers_are_normalised_for_zns(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


def test_an_invalid_phone_is_refused_before_calling_zalo(
    zalo: FakeZalo, quick_sender: ZaloSender
) -> None:
    with pytest.raises(PermanentFailure) as failure:
        quick_sender.send(message(phone="12345", last_interaction_at=None))
    assert "không hợp lệ" in failure.value.reason
    assert zalo.calls_to("zns") == []


# -- the access token ---------------------------------------------------------------------


def test_a_token_refresh_in_the_middle_of_a_batch_loses_nothing(
    zalo: FakeZalo, sender: ZaloSender, engine: Engine
) -> None:
    sender.tokens.access_token()  # a running deployment: a token is stored
    before = len(zalo.refreshes())
    zalo.expire_after = 3  # Zalo drops the access token after the third message

    for number in range(10):
        sender.send(message(message_id=number + 1, body=f"Tin số {number + 1}"))

    assert zalo.messages(FOLLOWER) == [f"Tin số {number}" for number in range(1, 11)]
    assert len(zalo.refreshes()) - before == 1
    assert [call.error for call in zalo.calls_to("cs")].count(-216) == 1
    row = stored_token(engine)
    assert (row.access_token, row.refresh_token) == ("access-2", "refresh-2")
    presented = [call.body["refresh_token"] for call in zalo.calls_to("oauth")]
    assert presented == [FIRST_REFRESH_TOKEN, "refresh-1"]  # each once, never again
    assert zalo.reused_refresh_tokens() == []


def test_concurrent_sends_across_a_token_expiry_report_what_zalo_received(
    zalo: FakeZalo, sender: ZaloSender
) -> None:
    """The dispatcher's 8 threads share one sender: the token expires mid-batch, one refresh
    serves them all, and each send reports what Zalo really did."""
    sender.tokens.access_token()
    zalo.expire_after = 10
    outcomes: dict[str, str] = {}

    def send(number: int) -> None:
        try:
            sender.send(message(message_id=number, body=f"Tin số {number}"))
            outcomes[f"Tin số {number}"] = "sent"
        except DeliveryError as error:
            outcomes[f"Tin số {number}"] = type(error).__name__
        except Exception as error:  # the contract: never
            outcomes[f"Tin số {number}"] = f"escaped {error!r}"

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(1, 41)))

    delivered = sorted(zalo.messages(FOLLOWER))
    assert sorted(text for text, outcome in outcomes.items() if outcome == "sent") == delivered
    assert len(delivered) == 40
    assert zalo.reused_refresh_tokens() == []


def test_the_token_is_refreshed_before_it_expires(
    zalo: FakeZalo, sender: ZaloSender, engine: Engine
) -> None:
    sender.tokens.access_token()
    with engine.begin() as connection:
        connection.execute(
            update(ChannelToken.__table__).values(
                access_expires_at=utcnow() + timedelta(minutes=10)
            )
        )
    fresh = ZaloSender(zalo.settings(), engine)  # another process, nothing cached

    fresh.send(message())

    assert len(zalo.refreshes()) == 2
    assert [call.error for call in zalo.calls_to("cs")] == [0]  # no refused call first
    assert stored_token(engine).access_expires_at is not None
    fresh.close()


@pytest.mark.parametrize("trigger", ["rejected", "expiring"])
def test_two_senders_refreshing_at_once_spend_the_refresh_token_once(
    zalo: FakeZalo, engine: Engine, trigger: str
) -> None:
    first = ZaloSender(zalo.settings(), engine)
    first.tokens.access_token()
    if trigger == "rejected":
        zalo.expire_access_tokens()
    else:
        with engine.begin() as connection:
            connection.execute(
                update(ChannelToken.__table__).values(
                    access_expires_at=utcnow() + timedelta(minutes=1)
                )
            )
    second = ZaloSender(zalo.settings(), engine)
    zalo.refresh_delay = 0.4  # both are waiting on Zalo at the same time
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(zalo_sender: ZaloSender, number: int) -> None:
        start.wait()
        try:
            zalo_sender.send(message(message_id=number, body=f"Tin {number}"))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [
        threading.Thread(target=send, args=(first, 1)),
        threading.Thread(target=send, args=(second, 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(zalo.messages(FOLLOWER)) == ["Tin 1", "Tin 2"]
    presented = [call.body["refresh_token"] for call in zalo.calls_to("oauth")]
    assert presented == [FIRST_REFRESH_TOKEN, "refresh-1"]
    assert zalo.reused_refresh_tokens() == []
    assert stored_token(engine).refresh_token == "refresh-2"
    first.close()
    second.close()


def test_a_dead_refresh_token_is_a_temporary_failure_that_says_what_to_do(
    zalo: FakeZalo, engine: Engine
) -> None:
    zalo.refresh_tokens.clear()
    dead = ZaloSender(zalo.settings(), engine)
    with pytest.raises(TemporaryFailure) as failure:
        dead.send(message())
    assert "TRACKER_ZALO_REFRESH_TOKEN" in failure.value.reason
    assert "-14014" in failure.value.reason
    assert zalo.calls_to("cs") == []
    dead.close()


def test_a_fresh_grant_configured_by_the_admin_replaces_a_dead_stored_token(
    zalo: FakeZalo, sender: ZaloSender, engine: Engine
) -> None:
    sender.tokens.access_token()  # stored: refresh-1
    zalo.refresh_tokens.discard("refresh-1")  # the grant was lost (revoked, expired)
    zalo.expire_access_tokens()
    zalo.issue_refresh_token("admin-new")
    restarted = ZaloSender(zalo.settings(refresh_token="admin-new"), engine)

    restarted.send(message())

    assert zalo.messages(FOLLOWER)
    assert stored_token(engine).refresh_token == "refresh-2"
    restarted.close()


def test_no_configured_refresh_token_is_a_temporary_failure(zalo: FakeZalo, engine: Engine) -> None:
    unset = ZaloSender(zalo.settings(refresh_token=""), engine)
    with pytest.raises(TemporaryFailure) as failure:
        unset.send(message())
    assert "TRACKER_ZALO_REFRESH_TOKEN" in failure.value.reason
    unset.close()


# -- Zalo's error codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected", "link_is_dead"),
    [
        (-32, RateLimitedByChannel, None),
        (-201, PermanentFailure, False),
        (-210, PermanentFailure, False),
        (-213, PermanentFailure, True),
        (-227, PermanentFailure, True),
        (-244, PermanentFailure, True),
        (-233, PermanentFailure, False),
        (-211, TemporaryFailure, None),
        (-218, TemporaryFailure, None),
        (-234, TemporaryFailure, None),
        (-204, TemporaryFailure, None),
        (-9999, TemporaryFailure, None),
    ],
)
def test_consultation_error_codes_map_to_failures(
    zalo: FakeZalo, quick_sender: ZaloSender, code: int, expected: type, link_is_dead: bool | None
) -> None:
    zalo.faults.append(Fault(endpoint="cs", error=code, message=f"error {code}"))
    with pytest.raises(expected) as failure:
        quick_sender.send(message())
    assert type(failure.value) is expected
    assert f"mã {code}" in failure.value.reason
    if link_is_dead is not None:
        assert failure.value.link_is_dead is link_is_dead
    if expected is RateLimitedByChannel:
        assert failure.value.retry_after == 60
    assert len(zalo.calls_to("cs")) == 1  # not retried here: the dispatcher decides


def test_outside_the_window_by_zalo_without_a_template_is_permanent_not_dead(
    zalo: FakeZalo, engine: Engine
) -> None:
    no_template = ZaloSender(zalo.settings(zns_template_id=""), engine)
    zalo.faults.append(Fault(endpoint="cs", error=-230, message="not interacted"))
    with pytest.raises(PermanentFailure) as failure:
        no_template.send(message())
    assert failure.value.link_is_dead is False
    assert "mã -230" in failure.value.reason
    no_template.close()


@pytest.mark.parametrize("code", [-216, -220])
def test_a_refused_access_token_is_refreshed_and_the_message_sent_once_more(
    zalo: FakeZalo, sender: ZaloSender, code: int
) -> None:
    sender.tokens.access_token()
    zalo.faults.append(Fault(endpoint="cs", error=code, message="Access token is invalid"))

    sender.send(message())

    assert [call.error for call in zalo.calls_to("cs")] == [code, 0]
    assert len(zalo.refreshes()) == 2
    assert len(zalo.messages(FOLLOWER)) == 1


def test_a_token_refused_twice_is_a_temporary_failure(
    zalo: FakeZalo, quick_sender: ZaloSender
) -> None:
    quick_sender.tokens.access_token()
    zalo.faults.extend([Fault(endpoint="cs", error=-216), Fault(endpoint="cs", error=-216)])
    with pytest.raises(TemporaryFailure) as failure:
        quick_sender.send(message())
    assert type(failure.value) is TemporaryFailure
    assert len(zalo.calls_to("cs")) == 2


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (-108, PermanentFailure),
        (-118, PermanentFailure),
        (-114, PermanentFailure),
        (-1122, PermanentFailure),
        (-115, TemporaryFailure),
        (-133, TemporaryFailure),
        (-109, TemporaryFailure),
    ],
)
def test_zns_error_codes_map_to_failures(
    zalo: FakeZalo, quick_sender: ZaloSender, code: int, expected: type
) -> None:
    zalo.faults.append(Fault(endpoint="zns", error=code, message=f"error {code}"))
    with pytest.raises(expected) as failure:
        quick_sender.send(message(last_interaction_at=None))
    assert type(failure.value) is expected
    assert getattr(failure.value, "link_is_dead", False) is False


def test_a_phone_without_zalo_is_permanent(zalo: FakeZalo, quick_sender: ZaloSender) -> None:
    zalo.no_zalo_phones.add("84912345678")
    with pytest.raises(PermanentFailure) as failure:
        quick_sender.send(message(last_interaction_at=None))
    assert "mã -118" in failure.value.reason


def test_a_refused_zns_token_is_refreshed_once(zalo: FakeZalo, sender: ZaloSender) -> None:
    sender.tokens.access_token()
    zalo.expire_access_tokens()
    sender.send(message(last_interaction_at=None))
    assert [call.error for call in zalo.calls_to("zns")] == [-124, 0]


# -- HTTP and the network -----------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_5xx_is_a_temporary_failure(
    zalo: FakeZalo, quick_sender: ZaloSender, status: int
) -> None:
    zalo.faults.append(Fault(endpoint="cs", error=None, status=status))
    with pytest.raises(TemporaryFailure) as failure:
        quick_sender.send(message())
    assert type(failure.value) is TemporaryFailure
    assert str(status) in failure.value.reason


def test_http_429_asks_to_wait(zalo: FakeZalo, quick_sender: ZaloSender) -> None:
    zalo.faults.append(Fault(endpoint="cs", error=-32, status=429))
    with pytest.raises(RateLimitedByChannel):
        quick_sender.send(message())


def test_a_storm_of_5xx_then_recovery_delivers_once(
    zalo: FakeZalo, quick_sender: ZaloSender
) -> None:
    zalo.faults.extend(Fault(endpoint="cs", error=None, status=502) for _ in range(5))
    failures = 0
    for _ in range(10):
        try:
            quick_sender.send(message())
            break
        except TemporaryFailure:
            failures += 1
    assert failures == 5
    assert len(zalo.messages(FOLLOWER)) == 1


def test_zalo_unreachable_is_a_temporary_failure(engine: Engine, zalo: FakeZalo) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    down = ZaloSender(zalo.settings(api_url=closed), engine)
    down.tokens.access_token()  # the token endpoint still answers
    with pytest.raises(TemporaryFailure) as failure:
        down.send(message())
    assert type(failure.value) is TemporaryFailure
    down.close()


def test_a_timeout_after_zalo_got_the_message_is_maybe_delivered(
    zalo: FakeZalo, engine: Engine
) -> None:
    slow = ZaloSender(zalo.settings(timeout_seconds=0.5), engine)
    slow.tokens.access_token()
    zalo.faults.append(Fault(endpoint="cs", error=0, deliver=True, delay=1.5))
    with pytest.raises(MaybeDelivered):
        slow.send(message())
    zalo.wait_for(lambda fake: len(fake.messages(FOLLOWER)) == 1)
    slow.close()
