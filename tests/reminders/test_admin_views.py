"""The reminders admin pages: who may open them, what they show, and their forms (CSRF
required, bad input refused with advice and nothing changed)."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import csrf_token, login_as, make_unit, make_user
from tracker.accounts.models import ChatLink, User
from tracker.config import TelegramSettings
from tracker.reminders.models import OutboxMessage
from tracker.workdays import CalendarDay

PAGES = ["/quan-tri/nhac-viec", "/quan-tri/lich-lam-viec"]
MESSAGES, CALENDAR = PAGES
SATURDAY = date(2027, 1, 16)


@pytest.fixture
def telegram(app: Flask) -> None:
    """Telegram configured, so test messages may go out on it."""
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = replace(settings, telegram=TelegramSettings(token="1:x"))


def sign_in(client: FlaskClient, session: Session, role: str = "admin") -> User:
    unit = make_unit(session, "DV") if role == "unit" else None
    user = make_user(session, role, unit=unit, username=f"nguoi{role}")
    session.commit()
    assert login_as(client, user.username).status_code == 302
    return user


def recipient(session: Session, *, linked: bool = True, name: str = "Lê Văn Phòng") -> User:
    unit = make_unit(session, "VP", "Văn phòng")
    user = make_user(session, "unit", unit=unit, username="vanphong")
    user.full_name = name
    session.add(user)
    if linked:
        session.add(ChatLink(user_id=user.id, channel="telegram", external_id="777001"))
    session.commit()
    return user


def outbox_row(session: Session, user: User, *, status: str, error: str | None = None) -> int:
    row = OutboxMessage(
        user_id=user.id,
        channel="telegram",
        day=date(2027, 1, 13),
        covers=f"k-{status}",
        address="777001",
        body="Nhắc việc",
        status=status,
        attempts=3 if status != "sent" else 1,
        last_error=error,
        created_at=datetime(2027, 1, 13, 1, 0, tzinfo=UTC),
        sent_at=datetime(2027, 1, 13, 1, 0, 5, tzinfo=UTC) if status == "sent" else None,
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("head", 403), ("secretary", 403), ("unit", 403)]
)
def test_who_may_open_the_pages(
    client: FlaskClient, session: Session, page: str, role: str, expected: int
) -> None:
    sign_in(client, session, role)
    assert client.get(page).status_code == expected


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client: FlaskClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]


def test_admins_find_the_pages_in_the_navigation(client: FlaskClient, session: Session) -> None:
    sign_in(client, session)
    page = client.get("/quan-tri/tai-khoan").get_data(as_text=True)
    assert 'href="/quan-tri/nhac-viec"' in page and "Nhắc việc" in page
    assert 'href="/quan-tri/lich-lam-viec"' in page and "Lịch làm việc" in page


def test_non_admins_cannot_post_the_forms(client: FlaskClient, session: Session) -> None:
    target = recipient(session)
    failed = outbox_row(session, target, status="failed", error="502")
    sign_in(client, session, "secretary")
    token = csrf_token(client, "/thong-bao")
    posts = [
        ("/quan-tri/nhac-viec/gui-thu", {"test-user": str(target.id), "test-channel": "telegram"}),
        (f"/quan-tri/nhac-viec/{failed}/gui-lai", {}),
        (CALENDAR, {"day": "16/01/2027", "kind": "working", "note": ""}),
        ("/quan-tri/lich-lam-viec/2027-01-16/xoa", {}),
    ]
    for url, data in posts:
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert session.exec(select(OutboxMessage)).one().status == "failed"
    assert session.exec(select(CalendarDay)).all() == []


def test_the_page_shows_what_was_sent_what_failed_and_dead_links(
    client: FlaskClient, session: Session
) -> None:
    target = recipient(session, name="Lê <Văn> Phòng")
    outbox_row(session, target, status="sent")
    outbox_row(session, target, status="failed", error="Forbidden: bot was blocked by the user")
    outbox_row(session, target, status="unconfirmed", error="Timed out")
    session.add(
        ChatLink(
            user_id=target.id,
            channel="zalo",
            external_id="z-1",
            is_active=False,
            inactive_reason="Người dùng đã bỏ quan tâm OA",
            inactive_at=datetime(2027, 1, 12, 3, 0, tzinfo=UTC),
        )
    )
    session.commit()
    sign_in(client, session)
    page = client.get(MESSAGES).get_data(as_text=True)
    assert "Đã gửi" in page and "Thất bại" in page
    assert "Chưa rõ đã đến (hết thời gian chờ)" in page
    assert "Forbidden: bot was blocked by the user" in page and "Timed out" in page
    assert "13/01/2027 08:00" in page and "13/01/2027 08:00" in page  # local time
    assert "Người dùng đã bỏ quan tâm OA" in page and "12/01/2027 10:00" in page
    assert "Lê &lt;Văn&gt; Phòng" in page and "Lê <Văn> Phòng" not in page
    assert page.count(">Gửi lại</button>") == 4  # failed and unconfirmed, in both tables
    filtered = client.get(MESSAGES, query_string={"status": "failed"}).get_data(as_text=True)
    assert (
        "Forbidden: bot was blocked" in filtered
        and "Timed out" not in filtered.split("Tất cả tin nhắn")[1]
    )


def test_the_pager_ignores_query_keys_meant_for_url_for(
    client: FlaskClient, session: Session
) -> None:
    # ?_method=X used to reach url_for, which then failed to build the pager's links (a 500).
    sign_in(client, session)
    response = client.get(MESSAGES, query_string={"trang": "2", "_method": "DELETE"})
    assert response.status_code == 200
    assert 'href="/quan-tri/nhac-viec?trang=1"' in response.get_data(as_text=True)


def test_a_bad_filter_date_is_refused_with_advice(client: FlaskClient, session: Session) -> None:
    sign_in(client, session)
    response = client.get(MESSAGES, query_string={"day": "31/02/2027"})
    assert response.status_code == 400
    assert "không có thật" in response.get_data(as_text=True)


def test_a_test_message_is_queued_from_the_form(
    client: FlaskClient, session: Session, telegram: None
) -> None:
    target = recipient(session)
    sign_in(client, session)
    page = client.get(MESSAGES).get_data(as_text=True)
    assert "Lê Văn Phòng (vanphong) — Telegram" in page
    data = {
        "test-user": str(target.id),
        "test-channel": "telegram",
        "test-csrf_token": csrf_token(client, MESSAGES),
    }
    without_token = {name: value for name, value in data.items() if "csrf" not in name}
    assert client.post("/quan-tri/nhac-viec/gui-thu", data=without_token).status_code == 400
    assert session.exec(select(OutboxMessage)).all() == []
    response = client.post("/quan-tri/nhac-viec/gui-thu", data=data)
    assert response.status_code == 302
    row = session.exec(select(OutboxMessage)).one()
    assert (row.kind, row.user_id, row.address) == ("test", target.id, "777001")
    assert "Đã đưa tin thử" in client.get(MESSAGES).get_data(as_text=True)
    assert client.post("/quan-tri/nhac-viec/gui-thu", data=data).status_code == 302
    assert len(session.exec(select(OutboxMessage)).all()) == 2  # every press is sent


def test_a_test_message_to_someone_without_a_link_says_what_to_do(
    client: FlaskClient, session: Session, telegram: None
) -> None:
    target = recipient(session, linked=False)
    sign_in(client, session)
    response = client.post(
        "/quan-tri/nhac-viec/gui-thu",
        data={
            "test-user": str(target.id),
            "test-channel": "telegram",
            "test-csrf_token": csrf_token(client, MESSAGES),
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Lê Văn Phòng chưa liên kết Telegram" in body and "/start" in body
    assert session.exec(select(OutboxMessage)).all() == []


def test_a_failed_message_is_sent_again_from_its_button(
    client: FlaskClient, session: Session
) -> None:
    target = recipient(session)
    failed = outbox_row(session, target, status="failed", error="502 Bad Gateway")
    sent = outbox_row(session, target, status="sent")
    sign_in(client, session)
    token = csrf_token(client, MESSAGES)
    assert client.post(f"/quan-tri/nhac-viec/{failed}/gui-lai").status_code == 400  # no CSRF
    assert session.get(OutboxMessage, failed).status == "failed"
    response = client.post(f"/quan-tri/nhac-viec/{failed}/gui-lai", data={"csrf_token": token})
    assert response.status_code == 302
    session.expire_all()
    row = session.get(OutboxMessage, failed)
    assert (row.status, row.attempts) == ("pending", 0)
    refused = client.post(f"/quan-tri/nhac-viec/{sent}/gui-lai", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "Chỉ gửi lại được tin thất bại" in refused.get_data(as_text=True)
    missing = client.post("/quan-tri/nhac-viec/999999/gui-lai", data={"csrf_token": token})
    assert missing.status_code == 404


def test_the_calendar_lists_the_years_holidays(client: FlaskClient, session: Session) -> None:
    sign_in(client, session)
    page = client.get(CALENDAR, query_string={"nam": 2027}).get_data(as_text=True)
    assert "Lịch làm việc năm 2027" in page
    assert "06/02/2027" in page and "Tết Nguyên Đán" in page
    assert "02/09/2027" in page and "Quốc khánh" in page
    assert client.get(CALENDAR, query_string={"nam": 3000}).status_code == 400


def test_a_make_up_day_is_added_and_removed(client: FlaskClient, session: Session) -> None:
    sign_in(client, session)
    page = f"{CALENDAR}?nam=2027"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "day": "16/01/2027",
            "kind": "working",
            "note": "Làm bù cho ngày 05/02",
        },
    )
    assert response.status_code == 302
    row = session.get(CalendarDay, SATURDAY)
    assert row is not None and row.is_working and row.note == "Làm bù cho ngày 05/02"
    listed = client.get(page).get_data(as_text=True)
    assert "16/01/2027" in listed and "Làm bù cho ngày 05/02" in listed
    remove = "/quan-tri/lich-lam-viec/2027-01-16/xoa"
    assert client.post(remove).status_code == 400  # no CSRF token
    session.expire_all()
    assert session.get(CalendarDay, SATURDAY) is not None
    assert client.post(remove, data={"csrf_token": csrf_token(client, page)}).status_code == 302
    session.expire_all()
    assert session.get(CalendarDay, SATURDAY) is None
    again = client.post(remove, data={"csrf_token": csrf_token(client, page)})
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("day", "kind", "says"),
    [
        ("31/02/2027", "off", "không có thật hoặc sai dạng"),
        ("", "off", "Nhập ngày theo dạng ngày/tháng/năm"),
        ("13/01/2027", "working", "vốn là ngày làm việc"),
        ("17/01/2027", "off", "vốn đã là ngày nghỉ (Chủ nhật)"),
    ],
)
def test_bad_calendar_input_is_refused_and_nothing_changes(
    client: FlaskClient, session: Session, day: str, kind: str, says: str
) -> None:
    sign_in(client, session)
    response = client.post(
        CALENDAR,
        data={"csrf_token": csrf_token(client, CALENDAR), "day": day, "kind": kind, "note": ""},
    )
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert session.exec(select(CalendarDay)).all() == []


def test_what_was_typed_in_a_date_is_escaped_in_the_error(
    client: FlaskClient, session: Session
) -> None:
    sign_in(client, session)
    page = client.get(MESSAGES, query_string={"day": "<b>x</b>"}).get_data(as_text=True)
    assert "<b>x</b>" not in page


def test_the_calendar_form_needs_its_csrf_token(client: FlaskClient, session: Session) -> None:
    sign_in(client, session)
    response = client.post(CALENDAR, data={"day": "16/01/2027", "kind": "working"})
    assert response.status_code == 400
    assert session.exec(select(CalendarDay)).all() == []


def test_a_message_to_a_blocked_chat_offers_no_resend(
    client: FlaskClient, session: Session
) -> None:
    target = recipient(session)
    link = session.exec(select(ChatLink).where(ChatLink.user_id == target.id)).one()
    link.is_active, link.inactive_reason = False, "Forbidden: bot was blocked by the user"
    session.add(link)
    failed = outbox_row(session, target, status="failed", error="Forbidden: bot was blocked")
    row = session.get(OutboxMessage, failed)
    row.chat_link_id = link.id
    session.add(row)
    timed_out = outbox_row(session, recipient_two(session), status="unconfirmed", error="timeout")
    session.commit()
    sign_in(client, session)
    page = client.get(MESSAGES).get_data(as_text=True)
    assert "Forbidden: bot was blocked" in page
    assert f"/quan-tri/nhac-viec/{failed}/gui-lai" not in page
    assert f"/quan-tri/nhac-viec/{timed_out}/gui-lai" in page


def recipient_two(session: Session) -> User:
    unit = make_unit(session, "VP2", "Văn phòng 2")
    user = make_user(session, "unit", unit=unit, username="vanphong2")
    session.commit()
    return user


def test_the_page_says_which_channels_are_switched_on(
    app: Flask, client: FlaskClient, session: Session, telegram: None
) -> None:
    sign_in(client, session)
    page = client.get(MESSAGES).get_data(as_text=True)
    assert "Telegram</span>\n      đang bật" in page
    assert "chưa bật: đặt TRACKER_ZALO_APP_ID, TRACKER_ZALO_APP_SECRET" in page
    assert "chưa bật: đặt TRACKER_SMTP_HOST, TRACKER_SMTP_FROM" in page


def test_a_forged_choice_is_refused_in_vietnamese(client: FlaskClient, session: Session) -> None:
    target = recipient(session)
    sign_in(client, session)
    response = client.post(
        "/quan-tri/nhac-viec/gui-thu",
        data={
            "test-csrf_token": csrf_token(client, MESSAGES),
            "test-user": str(target.id),
            "test-channel": "fax",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Lựa chọn này không có trong danh sách" in page and "Not a valid choice" not in page
    assert session.exec(select(OutboxMessage)).all() == []
