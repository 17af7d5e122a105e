"""The admin's reminder operations: the outbox as a list, the overview, a test message, a
retry, and the calendar's exceptions; admins only, every change audited."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from tests.helpers import make_unit, make_user
from tracker.accounts.models import ChatLink, User
from tracker.audit.models import AuditEvent
from tracker.config import Settings, SmtpSettings, TelegramSettings, ZaloSettings
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.reminders import admin as reminders_admin
from tracker.reminders import calendar_admin
from tracker.reminders.models import OutboxMessage
from tracker.workdays import CalendarDay, load_calendar

DAY = date(2027, 1, 13)  # a Wednesday
NOW = datetime(2027, 1, 13, 8, 30, tzinfo=UTC)  # 15:30 in Hà Nội
SATURDAY, SUNDAY = date(2027, 1, 16), date(2027, 1, 17)


@pytest.fixture
def settings(app: Flask) -> Settings:
    configured: Settings = app.extensions["tracker.settings"]
    return replace(
        configured,
        telegram=TelegramSettings(token="1:test"),
        zalo=ZaloSettings(),
        smtp=SmtpSettings(host="127.0.0.1", sender="dondoc@example.vn"),
    )


@pytest.fixture
def admin(session: Session) -> User:
    user = make_user(session, "admin", username="quantri")
    session.commit()
    return user


def person(session: Session, username: str = "vanphong", full_name: str = "Lê Văn Phòng") -> User:
    unit = make_unit(session, username.upper())
    user = make_user(session, "unit", unit=unit, username=username)
    user.full_name = full_name
    session.add(user)
    session.flush()
    return user


def link(
    session: Session,
    user: User,
    *,
    channel: str = "telegram",
    active: bool = True,
    external: str = "",
) -> ChatLink:
    chat_link = ChatLink(
        user_id=user.id,
        channel=channel,
        external_id=external or f"{channel}-{user.id}-{active}",
        is_active=active,
        inactive_reason=None if active else "Forbidden: bot was blocked by the user",
        inactive_at=None if active else NOW - timedelta(hours=2),
    )
    session.add(chat_link)
    session.flush()
    return chat_link


def message(
    session: Session,
    user: User,
    *,
    status: str = "sent",
    channel: str = "telegram",
    day: date = DAY,
    error: str | None = None,
    covers: str = "",
    chat_link_id: int | None = None,
    created_at: datetime = NOW,
) -> OutboxMessage:
    row = OutboxMessage(
        user_id=user.id,
        channel=channel,
        day=day,
        covers=covers or f"{status}-{channel}-{day}-{created_at.timestamp()}",
        address="123",
        chat_link_id=chat_link_id,
        body="Nhắc việc",
        status=status,
        attempts=3 if status in {"failed", "unconfirmed"} else 1,
        last_error=error,
        sent_at=created_at if status == "sent" else None,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    return row


@pytest.mark.parametrize("role", ["head", "secretary", "unit"])
def test_only_admins_may_use_any_of_it(session: Session, settings: Settings, role: str) -> None:
    unit = make_unit(session, "X") if role == "unit" else None
    actor = make_user(session, role, unit=unit)
    target = person(session)
    link(session, target)
    row = message(session, target, status="failed", error="boom")
    session.commit()
    calls = [
        lambda: reminders_admin.list_messages(session, actor=actor),
        lambda: reminders_admin.delivery_overview(session, actor=actor, today=DAY),
        lambda: reminders_admin.list_recipients(session, actor=actor),
        lambda: reminders_admin.queue_test_message(
            session, actor=actor, user_id=target.id, channel="telegram", now=NOW, settings=settings
        ),
        lambda: reminders_admin.retry_message(session, actor=actor, message_id=row.id),
        lambda: calendar_admin.add_calendar_day(
            session, actor=actor, day=SATURDAY, is_working=True
        ),
        lambda: calendar_admin.remove_calendar_day(session, actor=actor, day=SATURDAY),
        lambda: calendar_admin.calendar_year(session, actor=actor, year=2027),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    session.rollback()
    assert session.get(OutboxMessage, row.id).status == "failed"
    assert session.exec(select(AuditEvent).where(AuditEvent.action.like("outbox.%"))).all() == []


def test_the_list_shows_each_message_with_its_person_newest_first(
    session: Session, admin: User
) -> None:
    lan, minh = person(session, "lan", "Nguyễn Thị Lan"), person(session, "minh", "Trần Minh")
    old = message(session, lan, status="sent", created_at=NOW - timedelta(days=1), day=DAY)
    failed = message(session, minh, status="failed", error="Forbidden: bot was blocked")
    pending = message(session, lan, status="pending", channel="email", day=DAY + timedelta(1))
    session.commit()
    rows, more = reminders_admin.list_messages(session, actor=admin)
    assert [(row.message.id, row.user.full_name) for row in rows] == [
        (pending.id, "Nguyễn Thị Lan"),
        (failed.id, "Trần Minh"),
        (old.id, "Nguyễn Thị Lan"),
    ]
    assert not more
    rows, _ = reminders_admin.list_messages(session, actor=admin, status="failed")
    assert [(row.message.id, row.message.last_error) for row in rows] == [
        (failed.id, "Forbidden: bot was blocked")
    ]
    rows, _ = reminders_admin.list_messages(session, actor=admin, channel="email")
    assert [row.message.id for row in rows] == [pending.id]
    rows, _ = reminders_admin.list_messages(session, actor=admin, day=DAY)
    assert {row.message.id for row in rows} == {old.id, failed.id}
    first, more = reminders_admin.list_messages(session, actor=admin, per_page=2)
    second, last = reminders_admin.list_messages(session, actor=admin, page=2, per_page=2)
    assert (len(first), more, len(second), last) == (2, True, 1, False)
    with pytest.raises(InvalidInput):
        reminders_admin.list_messages(session, actor=admin, status="lost")


def test_the_overview_counts_today_and_lists_dead_links(session: Session, admin: User) -> None:
    lan, minh = person(session, "lan", "Nguyễn Thị Lan"), person(session, "minh", "Trần Minh")
    link(session, lan)
    dead = link(session, minh, active=False)
    message(session, lan, status="sent")
    message(session, lan, status="sent", channel="email")
    message(session, minh, status="failed", error="Forbidden: bot was blocked by the user")
    message(session, minh, status="unconfirmed", error="Timed out", day=DAY - timedelta(1))
    message(session, lan, status="pending", day=DAY + timedelta(1))
    session.commit()
    overview = reminders_admin.delivery_overview(session, actor=admin, today=DAY)
    assert overview.today_counts == {
        "pending": 0,
        "sending": 0,
        "sent": 2,
        "unconfirmed": 0,
        "failed": 1,
    }
    assert overview.open_counts == {"pending": 1, "sending": 0, "unconfirmed": 1, "failed": 1}
    assert sorted(row.message.status for row in overview.problems) == ["failed", "unconfirmed"]
    assert [
        (row.user.full_name, row.link.channel, row.link.inactive_reason)
        for row in overview.inactive_links
    ] == [("Trần Minh", "telegram", dead.inactive_reason)]


def test_a_test_message_goes_to_the_persons_active_link(
    session: Session, admin: User, settings: Settings
) -> None:
    target = person(session)
    link(session, target, active=False)
    active = link(session, target, channel="telegram", external="777001")
    session.commit()
    first = reminders_admin.queue_test_message(
        session, actor=admin, user_id=target.id, channel="telegram", now=NOW, settings=settings
    )
    second = reminders_admin.queue_test_message(
        session, actor=admin, user_id=target.id, channel="telegram", now=NOW, settings=settings
    )
    session.commit()
    assert first.id != second.id and first.covers != second.covers  # each press its own
    assert len(first.covers) == 64
    assert (first.kind, first.status, first.address, first.chat_link_id) == (
        "test",
        "pending",
        "777001",
        active.id,
    )
    assert first.day == DAY
    assert first.body.startswith("Tin nhắn thử từ Đôn Đốc lúc 15:30 13/01/2027")
    assert "Lê Văn Phòng" in first.body
    assert first.created_by_id == admin.id
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.test_queued"))
    assert [event.entity_id for event in events] == [first.id, second.id]


def test_a_test_e_mail_goes_to_the_address(
    session: Session, admin: User, settings: Settings
) -> None:
    target = person(session)
    target.email = "phong@example.vn"
    session.add(target)
    session.commit()
    row = reminders_admin.queue_test_message(
        session, actor=admin, user_id=target.id, channel="email", now=NOW, settings=settings
    )
    assert (row.address, row.chat_link_id, row.subject) == (
        "phong@example.vn",
        None,
        "Tin nhắn thử từ Đôn Đốc",
    )


def test_names_in_a_test_message_are_escaped(
    session: Session, admin: User, settings: Settings
) -> None:
    target = person(session, full_name="A <b>&</b> B")
    link(session, target)
    session.commit()
    row = reminders_admin.queue_test_message(
        session, actor=admin, user_id=target.id, channel="telegram", now=NOW, settings=settings
    )
    assert "A &lt;b&gt;&amp;&lt;/b&gt; B" in row.body


def test_a_test_message_is_refused_with_what_to_do(
    session: Session, admin: User, settings: Settings
) -> None:
    target = person(session)
    link(session, target, active=False)  # blocked the bot: no active link left
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        reminders_admin.queue_test_message(
            session, actor=admin, user_id=target.id, channel="telegram", now=NOW, settings=settings
        )
    text = str(refused.value)
    assert "Lê Văn Phòng chưa liên kết Telegram" in text and "/start" in text
    with pytest.raises(InvalidInput) as no_mail:
        reminders_admin.queue_test_message(
            session, actor=admin, user_id=target.id, channel="email", now=NOW, settings=settings
        )
    assert "chưa có địa chỉ thư điện tử" in str(no_mail.value)
    with pytest.raises(InvalidInput) as not_configured:
        reminders_admin.queue_test_message(
            session, actor=admin, user_id=target.id, channel="zalo", now=NOW, settings=settings
        )
    assert "TRACKER_ZALO_APP_ID" in str(not_configured.value)
    with pytest.raises(NotFound):
        reminders_admin.queue_test_message(
            session, actor=admin, user_id=999_999, channel="telegram", now=NOW, settings=settings
        )
    session.rollback()
    assert session.exec(select(OutboxMessage)).all() == []


def test_recipients_say_how_each_person_can_be_reached(session: Session, admin: User) -> None:
    target = person(session)
    target.email = "phong@example.vn"
    link(session, target, channel="zalo")
    link(session, target, channel="telegram", active=False)
    session.commit()
    reach = {
        user.username: channels
        for user, channels in reminders_admin.list_recipients(session, actor=admin)
    }
    assert reach == {"quantri": [], "vanphong": ["zalo", "email"]}


def test_a_failed_or_unconfirmed_message_can_be_sent_again(session: Session, admin: User) -> None:
    target = person(session)
    failed = message(session, target, status="failed", error="502 Bad Gateway")
    unconfirmed = message(session, target, status="unconfirmed", error="Timed out")
    sent = message(session, target, status="sent")
    session.commit()
    for row in (failed, unconfirmed):
        reminders_admin.retry_message(session, actor=admin, message_id=row.id)
    session.commit()
    for row in (failed, unconfirmed):
        session.refresh(row)
        assert (row.status, row.attempts, row.last_error, row.claimed_by) == (
            "pending",
            0,
            None,
            None,
        )
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "outbox.retried", AuditEvent.entity_id == failed.id
        )
    ).one()
    assert event.changes == {
        "status": ["failed", "pending"],
        "attempts": [3, 0],
        "last_error": ["502 Bad Gateway", None],
    }
    with pytest.raises(InvalidInput, match="Chỉ gửi lại được tin thất bại"):
        reminders_admin.retry_message(session, actor=admin, message_id=sent.id)
    with pytest.raises(NotFound):
        reminders_admin.retry_message(session, actor=admin, message_id=999_999)


def test_a_message_to_a_dead_link_is_not_sent_again(session: Session, admin: User) -> None:
    target = person(session)
    dead = link(session, target, active=False)
    row = message(session, target, status="failed", error="Forbidden", chat_link_id=dead.id)
    session.commit()
    with pytest.raises(InvalidInput, match="liên kết lại"):
        reminders_admin.retry_message(session, actor=admin, message_id=row.id)


def test_make_up_days_and_extra_days_off(session: Session, admin: User) -> None:
    calendar_admin.add_calendar_day(
        session, actor=admin, day=SATURDAY, is_working=True, note="  Làm bù cho 05/02  "
    )
    calendar_admin.add_calendar_day(session, actor=admin, day=DAY, is_working=False, note="")
    session.commit()
    calendar = load_calendar(session, years=[2027])
    assert calendar.is_working_day(SATURDAY) and not calendar.is_working_day(DAY)
    assert session.get(CalendarDay, SATURDAY).note == "Làm bù cho 05/02"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "calendar_day.added"))
    assert [e.entity_id for e in event] == [20270116, 20270113]

    calendar_admin.remove_calendar_day(session, actor=admin, day=SATURDAY)
    session.commit()
    assert session.get(CalendarDay, SATURDAY) is None
    removed = session.exec(
        select(AuditEvent).where(AuditEvent.action == "calendar_day.removed")
    ).one()
    assert removed.changes["is_working"] == [True, None]
    with pytest.raises(NotFound, match="16/01/2027"):
        calendar_admin.remove_calendar_day(session, actor=admin, day=SATURDAY)


@pytest.mark.parametrize(
    ("day", "is_working", "says"),
    [
        (DAY, True, "Ngày 13/01/2027 (thứ Tư) vốn là ngày làm việc"),
        (SUNDAY, False, "Ngày 17/01/2027 vốn đã là ngày nghỉ (Chủ nhật)"),
        (date(2027, 2, 8), False, "vốn đã là ngày nghỉ (Mùng ba Tết Nguyên Đán)"),
        (date(1999, 1, 2), True, "Năm 1999 nằm ngoài khoảng"),
    ],
)
def test_a_day_that_is_already_so_is_refused(
    session: Session, admin: User, day: date, is_working: bool, says: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        calendar_admin.add_calendar_day(session, actor=admin, day=day, is_working=is_working)
    assert says in str(refused.value)
    session.rollback()
    assert session.exec(select(CalendarDay)).all() == []


def test_a_day_already_listed_is_refused(session: Session, admin: User) -> None:
    calendar_admin.add_calendar_day(session, actor=admin, day=SATURDAY, is_working=True)
    with pytest.raises(InvalidInput, match="đã có trong danh sách"):
        calendar_admin.add_calendar_day(session, actor=admin, day=SATURDAY, is_working=True)


def test_the_year_lists_holidays_in_vietnamese_and_the_exceptions(
    session: Session, admin: User
) -> None:
    calendar_admin.add_calendar_day(session, actor=admin, day=SATURDAY, is_working=True)
    session.commit()
    year = calendar_admin.calendar_year(session, actor=admin, year=2027)
    names = {holiday.day: holiday.name for holiday in year.holidays}
    assert names[date(2027, 1, 1)] == "Tết Dương lịch"
    assert "Tết Nguyên Đán" in names[date(2027, 2, 6)]
    assert "Giỗ Tổ Hùng Vương" in names[date(2027, 4, 16)]
    assert names[date(2027, 9, 2)] == "Quốc khánh"
    assert {h.day: h.name_en for h in year.holidays}[date(2027, 9, 2)] == "National Day"
    assert all(h.is_day_off for h in year.holidays if h.day.weekday() < 5)
    assert [row.day for row in year.exceptions] == [SATURDAY]
    with pytest.raises(InvalidInput):
        calendar_admin.calendar_year(session, actor=admin, year=3000)
