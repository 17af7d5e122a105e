"""The conversation core (bots.conversation), called directly as a bot update would, each
call in its own unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bots import conversation
from bots.conversation import ButtonOutcome, Reply
from bots.conversation.work_lists import MAX_BUTTON_ROWS
from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import ChatLink, User
from tracker.assignments.models import Assignment, ExtensionRequest, ProgressReport
from tracker.audit.models import AuditEvent
from tracker.chat import linking
from tracker.config import Settings
from tracker.db import clock_at, unit_of_work
from tracker.errors import InvalidInput
from tracker.notices.models import TaskUnit
from tracker.notify.text import TELEGRAM_LIMIT
from tracker.units.models import Unit

pytestmark = pytest.mark.bots

# 10:00 on Tuesday 1 December 2026 in Hà Nội.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
DUE = date(2026, 12, 31)
CHAT = "1001"


@dataclass
class World:
    district: Unit
    other: Unit
    unit_user: User
    other_user: User
    head: User
    open_task: Assignment  # 1.1, due in 30 days (31/12/2026 for TODAY)
    overdue_task: Assignment  # 1.2, due 11 days ago (20/11/2026)
    done_task: Assignment  # 1.3
    supported_task: Assignment  # 2.1, led by the other unit, the district supports


def build_world(session: Session, today: date = TODAY) -> World:
    """A district (with a name that needs escaping), another unit, their work around `today`."""
    due = today + timedelta(days=30)
    district = make_unit(session, "HUYEN", "Ban Dân vận & Mặt trận <huyện> Sông Lam")
    other = make_unit(session, "HND", "Hội Nông dân tỉnh")
    secretary = make_user(session, "secretary", username="thuky")
    notice = make_notice(session, by=secretary)
    world = World(
        district=district,
        other=other,
        unit_user=make_user(session, "unit", unit=district, username="huyen"),
        other_user=make_user(session, "unit", unit=other, username="nongdan"),
        head=make_user(session, "head", username="lanhdao"),
        open_task=make_assignment(
            session,
            notice,
            district,
            code="1.1",
            due=due,
            text="Nắm tình hình <dư luận> & báo cáo kết quả",
        ),
        overdue_task=make_assignment(
            session,
            notice,
            district,
            code="1.2",
            due=today - timedelta(days=11),
            text="Tổng kết đợt 1",
        ),
        done_task=make_assignment(
            session,
            notice,
            district,
            code="1.3",
            due=due,
            status="done",
            completed_on=today - timedelta(days=29),
        ),
        supported_task=make_assignment(
            session, notice, other, code="2.1", due=due, text="Vận động hội viên"
        ),
    )
    session.add(TaskUnit(task_id=world.supported_task.task_id, unit_id=district.id, role="support"))
    session.commit()
    return world


@pytest.fixture
def world(session: Session) -> World:
    # Published a month before the conversation, so that its day's figures count it.
    with clock_at(NOW - timedelta(days=30)):
        return build_world(session)


@pytest.fixture
def settings(app: Flask) -> Settings:
    return app.extensions["tracker.settings"]


def say(
    engine: Engine, settings: Settings, text: str, *, chat: str = CHAT, now: datetime = NOW
) -> list[Reply]:
    with unit_of_work(engine) as session:
        return conversation.handle_text(
            session, channel="telegram", external_id=chat, text=text, now=now, settings=settings
        )


def press(
    engine: Engine, settings: Settings, data: str, *, chat: str = CHAT, now: datetime = NOW
) -> ButtonOutcome:
    with unit_of_work(engine) as session:
        return conversation.handle_button(
            session, channel="telegram", external_id=chat, data=data, now=now, settings=settings
        )


def new_code(engine: Engine, user: User) -> str:
    with unit_of_work(engine) as session:
        return linking.issue_link_code(session, actor=user, now=NOW).code


def linked(engine: Engine, settings: Settings, user: User, chat: str = CHAT) -> None:
    replies = say(engine, settings, f"/start {new_code(engine, user)}", chat=chat)
    assert "Xin chào" in replies[0].text


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def fetch(engine: Engine, model: type, key: int):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.get(model, key)


def chat_link(engine: Engine, chat: str = CHAT) -> ChatLink:
    with Session(engine) as session:
        return session.exec(select(ChatLink).where(ChatLink.external_id == chat)).one()


def actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def only(replies: list[Reply]) -> str:
    assert len(replies) == 1, replies
    return replies[0].text


# -- linking and the commands -------------------------------------------------------------


def test_start_with_a_code_links_and_greets_by_name(
    engine: Engine, settings: Settings, world: World
) -> None:
    text = only(say(engine, settings, f"/start {new_code(engine, world.unit_user)}"))
    assert "Xin chào <b>Người dùng unit</b>" in text
    assert "Ban Dân vận &amp; Mặt trận &lt;huyện&gt; Sông Lam" in text
    assert "/viec" in text and "/quahan" in text
    assert chat_link(engine).user_id == world.unit_user.id
    assert "chat.linked" in actions(engine)


def test_the_deep_link_payload_and_a_bare_code_link_too(
    engine: Engine, settings: Settings, world: World
) -> None:
    code = new_code(engine, world.unit_user)
    # t.me/<bot>?start=CODE arrives as "/start CODE"; a group-style "/start@bot CODE" as well.
    assert "Xin chào" in only(say(engine, settings, f"/start@dondoc_test_bot {code}"))
    code = new_code(engine, world.head)
    assert "Xin chào" in only(say(engine, settings, code.lower(), chat="2002"))
    assert chat_link(engine, "2002").user_id == world.head.id


def test_a_wrong_code_says_where_to_get_a_new_one(
    engine: Engine, settings: Settings, world: World
) -> None:
    text = only(say(engine, settings, "/start ABCDEFGH"))
    assert "Mã liên kết không đúng hoặc đã hết hạn" in text and "Hồ sơ" in text
    assert count(engine, ChatLink) == 0


def test_start_alone_explains_how_to_get_a_code(
    engine: Engine, settings: Settings, world: World
) -> None:
    text = only(say(engine, settings, "/start"))
    assert "chưa liên kết" in text
    assert f"{settings.base_url}/ho-so" in text and "Lấy mã liên kết" in text


def test_an_unlinked_chat_is_told_how_to_link(
    engine: Engine, settings: Settings, world: World
) -> None:
    for command in ("/viec", "/quahan", "/huy", "xin chào"):
        assert "chưa liên kết" in only(say(engine, settings, command))
    outcome = press(engine, settings, f"done:{world.open_task.id}")
    assert outcome.toast == "Tài khoản chưa liên kết."
    assert "Lấy mã liên kết" in outcome.replies[0].text
    assert count(engine, ProgressReport) == 0


def test_viec_lists_the_units_open_work_with_buttons(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    (reply,) = say(engine, settings, "/viec")
    text = reply.text
    assert "Nhiệm vụ đang mở của Ban Dân vận &amp; Mặt trận &lt;huyện&gt; Sông Lam" in text
    assert "Nắm tình hình &lt;dư luận&gt; &amp; báo cáo kết quả" in text
    assert "hạn 31/12/2026 · Chưa triển khai · 0%" in text
    assert "hạn 20/11/2026 · Quá hạn chưa hoàn thành" in text
    assert "Vận động hội viên" in text and "phối hợp" in text
    assert ">1.3<" not in text  # done work is not open
    assert f'href="{settings.base_url}/nhiem-vu/{world.open_task.id}"' in text
    # Buttons for the unit's own work only, numbered like the list.
    rows = [[(b.label, b.data) for b in row] for row in reply.buttons]
    first = [
        ("1. Hoàn thành", f"done:{world.overdue_task.id}"),
        ("1. Báo cáo %", f"pct:{world.overdue_task.id}"),
        ("1. Xin gia hạn", f"ext:{world.overdue_task.id}"),
    ]
    assert rows[0] == first
    assert {data for row in rows for _, data in row} == {
        f"{action}:{task.id}"
        for action in ("done", "pct", "ext")
        for task in (world.open_task, world.overdue_task)
    }


def test_quahan_lists_overdue_work_only(engine: Engine, settings: Settings, world: World) -> None:
    linked(engine, settings, world.unit_user)
    text = only(say(engine, settings, "/quahan"))
    assert "Nhiệm vụ quá hạn" in text and "Tổng kết đợt 1" in text
    assert "dư luận" not in text
    with unit_of_work(engine) as session:
        task = session.get(Assignment, world.overdue_task.id)
        task.status, task.percent, task.completed_on = "done", 100, TODAY
    assert "không có nhiệm vụ nào quá hạn" in only(say(engine, settings, "/quahan"))


def test_heads_get_counts_and_a_pointer_to_the_web(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.head)
    text = only(say(engine, settings, "/viec"))
    assert "Chưa triển khai: <b>2</b>" in text  # 1.1 and 2.1
    assert "Quá hạn chưa hoàn thành: <b>1</b>" in text
    assert f"{settings.base_url}/" in text
    assert "Quá hạn chưa hoàn thành: <b>1</b>" in only(say(engine, settings, "/quahan"))


def test_huy_unlinks_and_says_how_to_link_again(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    text = only(say(engine, settings, "/huy"))
    assert "Đã hủy liên kết" in text and "/ho-so" in text
    link = chat_link(engine)
    assert not link.is_active and link.inactive_reason == "Người dùng hủy liên kết"
    assert "chat.unlinked" in actions(engine)
    assert "chưa liên kết" in only(say(engine, settings, "/viec"))


def test_help_unknown_commands_and_stray_text_get_helpful_replies(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    for command in ("/trogiup", "/help", "/start"):
        assert "/viec: nhiệm vụ đang mở" in only(say(engine, settings, command))
    text = only(say(engine, settings, "/xoa_het <b>"))
    assert text.startswith("Không có lệnh /xoa_het.") and "/quahan" in text
    text = only(say(engine, settings, "chào <bot> & mọi người"))
    assert "chưa hiểu" in text and "/viec" in text
    assert "Báo cáo %" in only(say(engine, settings, "60 đã họp"))  # no question was asked


# -- buttons ------------------------------------------------------------------------------


def test_done_reports_completion_through_the_service(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    outcome = press(engine, settings, f"done:{world.open_task.id}")
    assert outcome.toast == "Đã ghi nhận hoàn thành."
    text = outcome.replies[0].text
    assert "Đã ghi nhận <b>hoàn thành</b>" in text
    assert "Tình trạng: Hoàn thành đúng hạn · 100% · hạn 31/12/2026" in text
    task = fetch(engine, Assignment, world.open_task.id)
    assert (task.status, task.percent, task.completed_on, task.version) == ("done", 100, TODAY, 2)
    with Session(engine) as session:
        report = session.exec(select(ProgressReport)).one()
    assert (report.author_id, report.status_before, report.status_after) == (
        world.unit_user.id,
        "not_started",
        "done",
    )
    assert report.note == "Báo hoàn thành qua Telegram"
    assert "assignment.progress" in actions(engine)
    again = press(engine, settings, f"done:{world.open_task.id}")
    assert "đã được báo hoàn thành ngày 01/12/2026" in again.replies[0].text
    assert count(engine, ProgressReport) == 1


def test_percent_asks_then_the_answer_is_reported(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    outcome = press(engine, settings, f"pct:{world.open_task.id}")
    assert (
        "Nhập tiến độ (%) và ghi chú cho nhiệm vụ 1.1, ví dụ: 60 Đã tổ chức hội nghị triển khai"
        in outcome.replies[0].text
    )
    link = chat_link(engine)
    assert (link.pending_action, link.pending_assignment_id) == (
        "report_percent",
        world.open_task.id,
    )
    assert link.pending_until == NOW + timedelta(minutes=30)
    text = only(say(engine, settings, "60% Đã họp <triển khai>", now=NOW + timedelta(minutes=5)))
    assert "Đã ghi nhận tiến độ <b>60%</b>" in text
    assert "Tình trạng: Đang thực hiện trong hạn · 60%" in text
    assert "Ghi chú: Đã họp &lt;triển khai&gt;" in text
    with Session(engine) as session:
        report = session.exec(select(ProgressReport)).one()
    assert (report.status_after, report.percent_after, report.note) == (
        "in_progress",
        60,
        "Đã họp <triển khai>",
    )
    assert chat_link(engine).pending_action is None
    # The question is answered: the same text again is no longer an answer.
    assert "chưa hiểu" in only(say(engine, settings, "70 nữa"))


@pytest.mark.parametrize(
    ("answer", "advice"),
    [
        ("đã họp xong", "Chưa đọc được số phần trăm"),
        ("150% xong hết", "Tiến độ phải từ 0 đến 100%, bạn nhập 150%"),
        ("60.5 gần xong", "Chưa đọc được số phần trăm"),
        ("-5 lùi", "Chưa đọc được số phần trăm"),
    ],
)
def test_a_bad_percent_says_what_to_type_and_keeps_the_question(
    engine: Engine, settings: Settings, world: World, answer: str, advice: str
) -> None:
    linked(engine, settings, world.unit_user)
    press(engine, settings, f"pct:{world.open_task.id}")
    text = only(say(engine, settings, answer))
    assert advice in text and "ví dụ: 60 Đã tổ chức hội nghị triển khai" in text
    assert count(engine, ProgressReport) == 0
    assert chat_link(engine).pending_action == "report_percent"
    assert "Đã ghi nhận tiến độ <b>100%</b>" in only(say(engine, settings, "100 Xong"))
    assert fetch(engine, Assignment, world.open_task.id).status == "done"


def test_extension_asks_then_the_answer_is_requested(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    outcome = press(engine, settings, f"ext:{world.open_task.id}")
    text = outcome.replies[0].text
    assert "Hạn hiện tại: 31/12/2026." in text
    assert "Nhập hạn mới (dd/mm/yyyy) và lý do, ví dụ: 30/01/2027 Chờ số liệu tổng hợp" in text
    assert chat_link(engine).pending_action == "extension"
    text = only(say(engine, settings, "15/01/2027 Chờ số liệu <tổng hợp> từ các huyện"))
    assert "Đã gửi đề nghị gia hạn nhiệm vụ <b>1.1</b> đến <b>15/01/2027</b>" in text
    assert "(hạn hiện tại 31/12/2026)" in text and "&lt;tổng hợp&gt;" in text
    with Session(engine) as session:
        request = session.exec(select(ExtensionRequest)).one()
    assert (request.requested_due, request.current_due, request.requested_by_id) == (
        date(2027, 1, 15),
        DUE,
        world.unit_user.id,
    )
    assert request.reason == "Chờ số liệu <tổng hợp> từ các huyện"
    assert "extension.requested" in actions(engine)
    assert chat_link(engine).pending_action is None
    # One open request at a time: the button says so before asking anything.
    again = press(engine, settings, f"ext:{world.open_task.id}")
    assert "đang chờ quyết định" in again.replies[0].text
    assert chat_link(engine).pending_action is None


@pytest.mark.parametrize(
    ("answer", "advice"),
    [
        ("31/02/2027 Chờ số liệu", "Ngày 31/02/2027 không có thật"),
        ("15/11/2026 Chờ số liệu", "Ngày 15/11/2026 đã qua (hôm nay là 01/12/2026)"),
        ("20/12/2026 Chờ số liệu", "Hạn mới phải sau hạn hiện tại (31/12/2026)"),
        ("15/01/2027", "Chưa có lý do xin gia hạn"),
        ("Chờ số liệu", "Chưa có hạn mới"),
    ],
)
def test_a_bad_extension_answer_says_what_to_type_and_keeps_the_question(
    engine: Engine, settings: Settings, world: World, answer: str, advice: str
) -> None:
    linked(engine, settings, world.unit_user)
    press(engine, settings, f"ext:{world.open_task.id}")
    text = only(say(engine, settings, answer))
    assert advice in text and "ví dụ: 30/01/2027 Chờ số liệu tổng hợp từ các huyện" in text
    assert count(engine, ExtensionRequest) == 0
    assert chat_link(engine).pending_action == "extension"


def test_any_command_cancels_an_open_question(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    press(engine, settings, f"pct:{world.open_task.id}")
    say(engine, settings, "/viec")
    assert chat_link(engine).pending_action is None
    assert "chưa hiểu" in only(say(engine, settings, "60 Đã họp"))
    # /huy with a question open only drops the question; the chat stays linked.
    press(engine, settings, f"ext:{world.open_task.id}")
    assert "Đã bỏ câu hỏi đang chờ" in only(say(engine, settings, "/huy"))
    link = chat_link(engine)
    assert link.is_active and link.pending_action is None
    assert count(engine, ProgressReport) == 0 and count(engine, ExtensionRequest) == 0


def test_an_unanswered_question_expires_after_30_minutes(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    press(engine, settings, f"pct:{world.open_task.id}")
    text = only(say(engine, settings, "60 Đã họp", now=NOW + timedelta(minutes=31)))
    assert "hết hạn" in text
    assert count(engine, ProgressReport) == 0
    assert chat_link(engine).pending_action is None


def test_a_button_on_work_that_is_no_longer_theirs_is_refused(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    press(engine, settings, f"pct:{world.open_task.id}")  # asked while still theirs
    with unit_of_work(engine) as session:
        session.get(Assignment, world.open_task.id).unit_id = world.other.id  # reassigned
    for data in (f"done:{world.open_task.id}", f"ext:{world.open_task.id}"):
        outcome = press(engine, settings, data)
        assert "không thuộc đơn vị của bạn" in outcome.toast
        assert "không thuộc đơn vị của bạn" in outcome.replies[0].text
    press_then_answer = press(engine, settings, f"pct:{world.open_task.id}")
    assert "không thuộc đơn vị" in press_then_answer.toast
    task = fetch(engine, Assignment, world.open_task.id)
    assert (task.status, task.percent, task.version) == ("not_started", 0, 1)
    assert count(engine, ProgressReport) == 0 and count(engine, ExtensionRequest) == 0


def test_an_answer_after_the_work_moved_away_is_refused(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    press(engine, settings, f"pct:{world.open_task.id}")
    with unit_of_work(engine) as session:
        session.get(Assignment, world.open_task.id).unit_id = world.other.id
    assert "không thuộc đơn vị của bạn" in only(say(engine, settings, "60 Đã họp"))
    assert count(engine, ProgressReport) == 0
    assert chat_link(engine).pending_action is None


def test_support_and_cancelled_work_cannot_be_changed_from_the_chat(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    outcome = press(engine, settings, f"done:{world.supported_task.id}")
    assert "Chỉ đơn vị được giao mới cập nhật được" in outcome.replies[0].text
    with unit_of_work(engine) as session:
        cancelled = session.get(Assignment, world.open_task.id)
        cancelled.status, cancelled.cancelled_reason = "cancelled", "Không còn phù hợp"
    outcome = press(engine, settings, f"pct:{world.open_task.id}")
    assert "đã được hủy" in outcome.replies[0].text
    assert chat_link(engine).pending_action is None
    outcome = press(engine, settings, f"done:{world.open_task.id}")
    assert "đã được hủy" in outcome.replies[0].text
    assert count(engine, ProgressReport) == 0


def test_a_refused_change_is_rolled_back_whole_and_the_refusal_still_sent(
    engine: Engine, settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service writes the report, then fails: none of it stays, the person is told."""
    linked(engine, settings, world.unit_user)
    press(engine, settings, f"pct:{world.open_task.id}")  # a question is open

    def fail(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise InvalidInput("Không ghi được lịch sử {what}.", what="<lúc này>")

    monkeypatch.setattr("tracker.assignments.progress.audit.record", fail)
    later = NOW + timedelta(minutes=1)
    outcome = press(engine, settings, f"done:{world.open_task.id}", now=later)
    assert outcome.replies[0].text == "Không ghi được lịch sử &lt;lúc này&gt;."
    assert count(engine, ProgressReport) == 0
    task = fetch(engine, Assignment, world.open_task.id)
    assert (task.status, task.version) == ("not_started", 1)
    # The rest of the update (the press closed the open question) was still committed.
    assert chat_link(engine).pending_action is None


def test_forged_or_stale_button_data_is_refused(
    engine: Engine, settings: Settings, world: World
) -> None:
    linked(engine, settings, world.unit_user)
    for data in ("done:abc", "xoa:1", "", f"pct:{world.open_task.id}:1"):
        assert press(engine, settings, data).toast == "Nút này không còn dùng được."
    outcome = press(engine, settings, "done:987654")
    assert "Không tìm thấy nhiệm vụ này" in outcome.replies[0].text


def test_a_long_list_is_split_under_telegrams_limit(
    engine: Engine, settings: Settings, world: World
) -> None:
    with unit_of_work(engine) as session, clock_at(NOW - timedelta(days=1)):
        notice = make_notice(session)
        district = session.get(Unit, world.district.id)
        for n in range(40):
            make_assignment(session, notice, district, code=f"3.{n}", due=DUE, text="Rất dài " * 60)
    linked(engine, settings, world.unit_user)
    replies = say(engine, settings, "/viec")
    assert len(replies) > 1
    assert all(len(reply.text) <= TELEGRAM_LIMIT for reply in replies)
    assert all(not reply.buttons for reply in replies[:-1])
    assert len(replies[-1].buttons) == MAX_BUTTON_ROWS
    whole = "\n".join(reply.text for reply in replies)
    assert "… và 13 nhiệm vụ khác" in whole  # 43 open (2.1 supported), 30 listed


def test_settings_time_zone_decides_today(engine: Engine, settings: Settings, world: World) -> None:
    """At 18:00 UTC on 30 November it is already 1 December in Hà Nội."""
    linked(engine, settings, world.unit_user)
    evening = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    outcome = press(engine, settings, f"done:{world.overdue_task.id}", now=evening)
    assert "Hoàn thành quá hạn" in outcome.replies[0].text
    assert fetch(engine, Assignment, world.overdue_task.id).completed_on == TODAY
    utc = replace(settings, timezone="UTC")
    text = only(say(engine, utc, "/viec", now=evening))
    assert "tính đến 30/11/2026" in text
