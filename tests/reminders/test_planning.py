"""Planning a day: who gets which digest on which channel, once, on working days only."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask, url_for
from sqlmodel import Session, select

from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import ChatLink, User
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.config import Settings, SmtpSettings, TelegramSettings, ZaloSettings
from tracker.notices.models import Task
from tracker.reminders.models import OutboxMessage
from tracker.reminders.outbox import covers_key
from tracker.reminders.planning import PlanSummary, digest_window, plan_day
from tracker.reminders.texts import assignment_url
from tracker.units.models import Unit
from tracker.workdays import CalendarDay, WorkCalendar

DAY = date(2027, 1, 13)  # a Wednesday
NOW = datetime(2027, 1, 13, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
# The window of NEW items on DAY: after 08:00 on Tuesday 12/01, up to 08:00 on the 13th.
IN_WINDOW = datetime(2027, 1, 12, 9, 30, tzinfo=UTC)
BEFORE_WINDOW = datetime(2027, 1, 12, 0, 59, tzinfo=UTC)
BASE = "https://dondoc.example.vn"


@pytest.fixture
def settings(app: Flask) -> Settings:
    configured: Settings = app.extensions["tracker.settings"]
    return replace(
        configured,
        base_url=BASE,
        telegram=TelegramSettings(token="123:test"),
        zalo=ZaloSettings(),
        smtp=SmtpSettings(),
    )


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar(years=[2027])


def plan(
    session: Session,
    settings: Settings,
    day: date = DAY,
    calendar: WorkCalendar | None = None,
) -> PlanSummary:
    now = datetime.combine(day, NOW.time(), tzinfo=UTC)
    summary = plan_day(session, day=day, now=now, settings=settings, calendar=calendar)
    session.commit()
    return summary


def messages(session: Session) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage).order_by(OutboxMessage.user_id, OutboxMessage.channel)
        ).all()
    )


def link(session: Session, user: User, channel: str = "telegram", external: str = "") -> ChatLink:
    chat_link = ChatLink(user_id=user.id, channel=channel, external_id=external or f"{user.id}00")
    session.add(chat_link)
    session.flush()
    return chat_link


def unit_with_user(session: Session, code: str, name: str) -> tuple[Unit, User]:
    unit = make_unit(session, code, name)
    return unit, make_user(session, "unit", unit=unit, username=code.lower())


def test_the_window_runs_from_the_previous_working_days_digest(
    app: Flask, settings: Settings, calendar: WorkCalendar
) -> None:
    start, end = digest_window(date(2027, 1, 11), calendar=calendar, settings=settings)
    # Monday's digest covers everything since Friday's at 08:00.
    assert start == datetime(2027, 1, 8, 1, 0, tzinfo=UTC)
    assert end == datetime(2027, 1, 11, 1, 0, tzinfo=UTC)


def test_a_unit_user_gets_one_digest_with_the_right_items(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    other_unit, other_user = unit_with_user(session, "DTN", "Tỉnh đoàn")
    chat = link(session, user, external="555001")
    notice = make_notice(session, number="12-TB/TU")
    soon = make_assignment(session, notice, unit, code="1", due=date(2027, 1, 22))
    today = make_assignment(session, notice, unit, code="2", due=DAY, status="in_progress")
    late = make_assignment(session, notice, unit, code="3", due=date(2027, 1, 12))
    make_assignment(session, notice, unit, code="4", due=date(2027, 2, 26))  # nothing today
    fresh = make_assignment(session, notice, unit, code="5", due=date(2027, 3, 31))
    fresh.created_at = IN_WINDOW
    old = make_assignment(session, notice, unit, code="6", due=date(2027, 3, 31))
    old.created_at = BEFORE_WINDOW
    make_assignment(session, notice, other_unit, code="7", due=DAY)
    session.commit()

    summary = plan(session, settings, calendar=calendar)

    assert summary == PlanSummary(
        day=DAY,
        is_working_day=True,
        messages_created=1,
        people_reminded=1,
        people_without_channel=1,  # the other unit's user has no channel
        already_planned=0,
    )
    (message,) = messages(session)
    assert (message.user_id, message.channel, message.kind, message.day) == (
        user.id,
        "telegram",
        "digest",
        DAY,
    )
    assert (message.address, message.chat_link_id, message.status) == ("555001", chat.id, "pending")
    assert message.subject == "Đôn Đốc: 4 nhiệm vụ cần chú ý ngày 13/01/2027"

    def item(assignment: Assignment, rule: str, due: date, days: int | None) -> dict:
        return {
            "assignment_id": assignment.id,
            "rule": rule,
            "code": {soon.id: "1", today.id: "2", late.id: "3", fresh.id: "5"}[assignment.id],
            "notice": "12-TB/TU",
            "task": "Triển khai nhiệm vụ",
            "unit": "Hội Nông dân tỉnh",
            "due": due.isoformat(),
            "days": days,
            "actionable": True,
        }

    assert message.items == [
        item(late, "overdue", date(2027, 1, 12), 1),
        item(today, "due_today", DAY, 0),
        item(soon, "before_due", date(2027, 1, 22), 7),
        item(fresh, "new", date(2027, 3, 31), 50),
    ]
    assert message.covers == covers_key(
        [(late.id, "overdue"), (today.id, "due_today"), (soon.id, "before_due"), (fresh.id, "new")]
    )
    assert other_user.id not in {row.user_id for row in messages(session)}
    lines = message.body.splitlines()
    assert lines[0] == f"Kính gửi đồng chí <b>{user.full_name}</b>,"
    assert "<b>Quá hạn</b>" in lines
    assert "<b>Đến hạn hôm nay</b>" in lines
    assert "<b>Sắp đến hạn</b>" in lines
    assert "<b>Nhiệm vụ mới được giao</b>" in lines
    assert (
        f"• <b>3</b> (TB số 12-TB/TU): Triển khai nhiệm vụ · hạn 12/01/2027, quá hạn 1 ngày làm "
        f'việc. <a href="{BASE}/nhiem-vu/{late.id}">Xem</a>'
    ) in lines
    assert (
        f"• <b>1</b> (TB số 12-TB/TU): Triển khai nhiệm vụ · hạn 22/01/2027, còn 7 ngày làm việc. "
        f'<a href="{BASE}/nhiem-vu/{soon.id}">Xem</a>'
    ) in lines
    assert "Bấm nút bên dưới để báo cáo, hoặc gõ /viec để xem việc đang mở." in lines
    # Sent at 08:00, the digest hour.
    assert message.next_attempt_at.replace(tzinfo=UTC) == NOW


def test_the_head_hears_of_work_five_working_days_overdue(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    link(session, user)
    head = make_user(session, "head", username="truongban")
    link(session, head, external="777")
    make_user(session, "secretary", username="thuky2")  # secretaries get no digest
    late = make_assignment(
        session, make_notice(session, number="3-TB/TU"), unit, code="2.1", due=date(2027, 1, 22)
    )
    session.commit()

    assert plan(session, settings, date(2027, 1, 28), calendar).messages_created == 1  # m = 4
    assert [row.user_id for row in messages(session)] == [user.id]
    summary = plan(session, settings, date(2027, 1, 29), calendar)  # m = 5

    assert (summary.messages_created, summary.people_reminded) == (1, 1)
    (escalation,) = [row for row in messages(session) if row.day == date(2027, 1, 29)]
    assert escalation.user_id == head.id
    assert escalation.items == [
        {
            "assignment_id": late.id,
            "rule": "escalation",
            "code": "2.1",
            "notice": "3-TB/TU",
            "task": "Triển khai nhiệm vụ",
            "unit": "Hội Nông dân tỉnh",
            "due": "2027-01-22",
            "days": 5,
            "actionable": False,
        }
    ]
    lines = escalation.body.splitlines()
    assert "<b>Quá hạn từ 5 ngày làm việc trở lên (báo cáo lãnh đạo)</b>" in lines
    assert (
        "• <b>2.1</b> (TB số 3-TB/TU): Triển khai nhiệm vụ · <i>Hội Nông dân tỉnh</i> · "
        "hạn 22/01/2027, quá hạn 5 ngày làm việc. "
        f'<a href="{BASE}/nhiem-vu/{late.id}">Xem</a>'
    ) in lines
    # Nothing to press for the head.
    assert not any("Bấm nút" in line for line in lines)


def test_someone_without_a_channel_is_counted_and_gets_no_row(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    user.email = "hnd@example.vn"  # no SMTP configured: no use
    make_assignment(session, make_notice(session), unit, due=DAY)
    session.commit()

    summary = plan(session, settings, calendar=calendar)

    assert (summary.messages_created, summary.people_without_channel) == (0, 1)
    assert messages(session) == []


def test_e_mail_when_no_chat_link_is_usable(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    user.email = "hnd@example.vn"
    blocked = link(session, user)
    blocked.is_active = False
    link(session, user, channel="zalo", external="zalo-1")  # Zalo is not configured
    make_assignment(session, make_notice(session), unit, due=DAY, text="Báo cáo <b>quý</b> & năm")
    session.commit()
    with_smtp = replace(settings, smtp=SmtpSettings(host="127.0.0.1", sender="dondoc@example.vn"))

    summary = plan(session, with_smtp, calendar=calendar)

    assert (summary.messages_created, summary.people_without_channel) == (1, 0)
    (message,) = messages(session)
    assert (message.channel, message.address, message.chat_link_id) == (
        "email",
        "hnd@example.vn",
        None,
    )
    assert message.subject == "Đôn Đốc: 1 nhiệm vụ cần chú ý ngày 13/01/2027"
    assert "Báo cáo &lt;b&gt;quý&lt;/b&gt; &amp; năm" in message.body
    assert "/viec" not in message.body  # no buttons in an e-mail
    assert f'Xem và báo cáo tại <a href="{BASE}">{BASE}</a>' in message.body.splitlines()


def test_each_configured_chat_channel_gets_its_digest(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    user.email = "hnd@example.vn"
    link(session, user, external="old-chat").is_active = False
    newest = link(session, user, external="new-chat")
    zalo = link(session, user, channel="zalo", external="follower-9")
    make_assignment(session, make_notice(session), unit, due=DAY)
    session.commit()
    both = replace(
        settings,
        zalo=ZaloSettings(app_id="1", app_secret="s"),
        smtp=SmtpSettings(host="127.0.0.1", sender="dondoc@example.vn"),
    )

    assert plan(session, both, calendar=calendar).messages_created == 2

    rows = messages(session)
    assert [(row.channel, row.address, row.chat_link_id) for row in rows] == [
        ("telegram", "new-chat", newest.id),
        ("zalo", "follower-9", zalo.id),
    ]
    assert rows[0].covers == rows[1].covers


def test_planning_twice_inserts_nothing(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    link(session, user)
    make_assignment(session, make_notice(session), unit, due=DAY)
    session.commit()

    assert plan(session, settings, calendar=calendar).messages_created == 1
    again = plan(session, settings, calendar=calendar)

    assert (again.messages_created, again.people_reminded, again.already_planned) == (0, 0, 1)
    assert len(messages(session)) == 1


def test_replanning_after_a_change_sends_no_second_digest(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    link(session, user)
    notice = make_notice(session)
    make_assignment(session, notice, unit, code="1", due=DAY)
    session.commit()
    plan(session, settings, calendar=calendar)
    make_assignment(session, notice, unit, code="2", due=date(2027, 1, 14))
    session.commit()

    again = plan(session, settings, calendar=calendar)

    assert (again.messages_created, again.already_planned) == (0, 1)
    (message,) = messages(session)
    assert [item["code"] for item in message.items] == ["1"]
    # The next working day the change is there.
    assert plan(session, settings, date(2027, 1, 14), calendar).messages_created == 1


def test_drafts_and_finished_work_are_ignored(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    link(session, user)
    draft = make_notice(session, published=False)
    make_assignment(session, draft, unit, code="1", due=DAY)
    published = make_notice(session)
    make_assignment(session, published, unit, code="2", due=DAY, status="done", completed_on=DAY)
    make_assignment(session, published, unit, code="3", due=DAY, status="cancelled")
    make_assignment(session, published, unit, code="4", due=None)  # no due, not new
    inactive_unit, inactive = unit_with_user(session, "OLD", "Đơn vị cũ")
    inactive.is_active = False
    link(session, inactive)
    make_assignment(session, published, inactive_unit, code="5", due=DAY)
    session.commit()

    summary = plan(session, settings, calendar=calendar)

    assert summary == PlanSummary(day=DAY, is_working_day=True)
    assert messages(session) == []


def test_task_text_is_escaped_and_shortened(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân <tỉnh>")
    link(session, user)
    text = "<script>alert('x')</script> Tổ chức\nhội nghị " + "tuyên truyền sâu rộng " * 20
    make_assignment(session, make_notice(session, number="9-TB/TU"), unit, due=DAY, text=text)
    session.commit()

    plan(session, settings, calendar=calendar)

    (message,) = messages(session)
    assert "<script>" not in message.body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Tổ chức hội nghị" in message.body
    task = message.items[0]["task"]
    assert len(task) <= 160 and task.endswith("…") and "\n" not in task
    # Every line closes the tags it opens (the splitter relies on it).
    for line in message.body.splitlines():
        for tag in ("b", "i", "a"):
            assert line.count(f"<{tag}>") + line.count(f"<{tag} ") == line.count(f"</{tag}>")


def test_nothing_is_planned_on_a_day_off(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    link(session, user)
    make_assignment(session, make_notice(session), unit, due=date(2027, 1, 16))  # a Saturday
    session.add(CalendarDay(day=date(2027, 1, 14), is_working=False, note="Nghỉ đột xuất"))
    session.commit()

    saturday = plan(session, settings, date(2027, 1, 16))
    day_off = plan(session, settings, date(2027, 1, 14))  # the admin's day off, from the DB
    tet = plan(session, settings, date(2027, 2, 8))

    assert saturday == PlanSummary(day=date(2027, 1, 16), is_working_day=False)
    assert not day_off.is_working_day and not tet.is_working_day
    assert messages(session) == []
    # Friday 15/01 announces the Saturday due date (the calendar loaded from the database).
    friday = plan(session, settings, date(2027, 1, 15))
    assert friday.messages_created == 1
    assert messages(session)[0].items[0]["rule"] == "due_today"


def test_the_requester_hears_of_the_extension_decision(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    colleague = make_user(session, "unit", unit=unit, username="hnd2")
    link(session, user)
    link(session, colleague)
    secretary = make_user(session, "secretary", username="thuky3")
    notice = make_notice(session, by=secretary, number="5-TB/TU")
    approved = make_assignment(session, notice, unit, code="1", due=date(2027, 2, 26))
    refused = make_assignment(session, notice, unit, code="2", due=date(2027, 2, 26))
    earlier = make_assignment(session, notice, unit, code="3", due=date(2027, 2, 26))
    for assignment, status, decided_at, comment in (
        (approved, "approved", IN_WINDOW, None),
        (refused, "refused", IN_WINDOW, "Chưa đủ căn cứ"),
        (earlier, "approved", BEFORE_WINDOW, None),
    ):
        session.add(
            ExtensionRequest(
                assignment_id=assignment.id,
                requested_by_id=user.id,
                current_due=date(2027, 1, 29),
                requested_due=date(2027, 2, 26),
                reason="Chờ số liệu",
                status=status,
                decided_by_id=secretary.id,
                decided_at=decided_at,
                decision_comment=comment,
            )
        )
    session.commit()

    summary = plan(session, settings, calendar=calendar)

    assert (summary.messages_created, summary.people_reminded) == (1, 1)
    (message,) = messages(session)
    assert message.user_id == user.id  # not the colleague
    assert [
        (item["assignment_id"], item["rule"], item["actionable"]) for item in message.items
    ] == [
        (approved.id, "extension_approved", False),
        (refused.id, "extension_refused", False),
    ]
    assert message.items[1]["comment"] == "Chưa đủ căn cứ"
    lines = message.body.splitlines()
    assert "<b>Đề nghị gia hạn đã được duyệt</b>" in lines
    assert "<b>Đề nghị gia hạn không được duyệt</b>" in lines
    assert any("hạn mới 26/02/2027, còn 27 ngày làm việc" in line for line in lines)
    assert any("Ý kiến: <i>Chưa đủ căn cứ</i>." in line for line in lines)


def test_a_recurring_task_is_reminded_before_each_report_date(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    link(session, user)
    monthly = make_assignment(session, make_notice(session), unit, due=date(2027, 3, 31))
    monthly.created_at = datetime(2027, 1, 4, 3, 0, tzinfo=UTC)
    session.get_one(Task, monthly.task_id).recurrence = "monthly"
    session.commit()

    plan(session, settings, date(2027, 1, 26), calendar)

    (message,) = messages(session)
    assert [(item["rule"], item["due"], item["days"]) for item in message.items] == [
        ("period_report", "2027-01-31", 3)
    ]
    assert "báo cáo kỳ hạn 31/01/2027, còn 3 ngày làm việc" in message.body


def test_links_point_at_the_assignment_page(app: Flask) -> None:
    with app.test_request_context():
        assert url_for("assignments.detail", assignment_id=42) == "/nhiem-vu/42"
    assert assignment_url(BASE + "/", 42) == f"{BASE}/nhiem-vu/42"


def test_the_calendar_is_loaded_for_the_due_dates(session: Session, settings: Settings) -> None:
    unit, user = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    link(session, user)
    # Overdue since 2024: the cadence is counted on a calendar reaching back that far.
    due = date(2024, 12, 31)
    make_assignment(session, make_notice(session), unit, due=due)
    session.commit()
    week = [date(2027, 1, 4) + timedelta(days=offset) for offset in range(7)]

    planned = [day for day in week if plan(session, settings, day).messages_created]

    long_calendar = WorkCalendar(years=[2024, 2027])
    expected = [
        day
        for day in week
        if long_calendar.is_working_day(day) and (long_calendar.between(due, day) - 1) % 3 == 0
    ]
    assert planned == expected and len(expected) in (1, 2)


def test_the_chain_tells_the_unit_s_head_then_the_board_s_head_once_each(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, officer = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    unit_head = make_user(session, "unit", unit=unit, username="chutich")
    unit_head.is_unit_head = True
    _, other_head = unit_with_user(session, "DTN", "Tỉnh đoàn")
    other_head.is_unit_head = True  # the head of another unit hears nothing of this one
    board_head = make_user(session, "head", username="truongban")
    for person in (officer, unit_head, other_head, board_head):
        link(session, person)
    late = make_assignment(
        session, make_notice(session, number="3-TB/TU"), unit, code="2.1", due=date(2027, 1, 22)
    )
    session.commit()
    told: dict[date, list[tuple[int, list[str]]]] = {}
    for day in (date(2027, 1, 26), date(2027, 1, 27), date(2027, 1, 28), date(2027, 1, 29)):
        plan(session, settings, day, calendar)
        plan(session, settings, day, calendar)  # planned twice: nothing told twice
        told[day] = [
            (row.user_id, [item["rule"] for item in row.items])
            for row in messages(session)
            if row.day == day
        ]
    assert told[date(2027, 1, 26)] == []  # m = 2
    assert told[date(2027, 1, 27)] == [(unit_head.id, ["unit_escalation"])]  # m = 3
    assert sorted(told[date(2027, 1, 28)]) == sorted(  # m = 4: the unit, as every overdue day
        [(officer.id, ["overdue"]), (unit_head.id, ["overdue"])]
    )
    assert told[date(2027, 1, 29)] == [(board_head.id, ["escalation"])]  # m = 5
    (row,) = [r for r in messages(session) if r.day == date(2027, 1, 27)]
    assert "<b>Quá hạn từ 3 ngày làm việc trở lên (báo cáo trưởng đơn vị)</b>" in row.body
    assert row.items[0]["assignment_id"] == late.id and row.items[0]["actionable"] is False


def test_the_unit_head_step_can_be_switched_off(
    session: Session, settings: Settings, calendar: WorkCalendar
) -> None:
    unit, officer = unit_with_user(session, "HND", "Hội Nông dân tỉnh")
    officer.is_unit_head = True
    link(session, officer)
    make_assignment(session, make_notice(session), unit, code="2.1", due=date(2027, 1, 22))
    session.commit()
    quiet = replace(settings, reminders=replace(settings.reminders, escalate_unit_head_after=0))
    assert plan(session, quiet, date(2027, 1, 27), calendar).messages_created == 0
