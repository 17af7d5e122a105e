"""A simulated quarter with time travel: every day of Q1 2027 planned at 08:00 in Hà Nội, the
scripted changes applied on their days through the real services, and the exact reminders each
person receives checked, with none on a weekend or during Tết (04/02-10/02/2027).

The escalation chain: the officer hears of overdue work every 3 working days, the unit's own
head (dtn_head, who reads at 16:30) once at 3 working days overdue, the board's head (who reads
at 09:15) once at 5; each message leaves at its reader's own time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlmodel import Session, select

from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import ChatLink, User
from tracker.assignments import extensions
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import Assignment
from tracker.assignments.progress import report_progress
from tracker.config import Settings, SmtpSettings, TelegramSettings, ZaloSettings
from tracker.notices.models import Task
from tracker.reminders.models import OutboxMessage
from tracker.reminders.planning import plan_day
from tracker.units.models import Unit

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, LAST = date(2027, 1, 1), date(2027, 3, 31)
TET = {date(2027, 2, 4) + timedelta(days=offset) for offset in range(7)}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment on `day` at `hour` in Hà Nội, in UTC as stored."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HANOI).astimezone(UTC)


# (day, person, channel, [(rule, assignment, days)]): what each person reads, day by day.
EXPECTED = [
    (date(2027, 1, 4), "dtn", "telegram", [("new", "A2", 14), ("new", "A5", 29)]),
    (date(2027, 1, 4), "hnd", "telegram", [("new", "A1", 9), ("new", "A3", 23), ("new", "A6", 57)]),
    (date(2027, 1, 4), "mttq", "email", [("new", "A4", 39)]),
    (date(2027, 1, 6), "hnd", "telegram", [("before_due", "A1", 7)]),
    (date(2027, 1, 12), "hnd", "telegram", [("before_due", "A1", 3)]),
    (date(2027, 1, 13), "dtn", "telegram", [("before_due", "A2", 7)]),
    (date(2027, 1, 14), "hnd", "telegram", [("before_due", "A1", 1)]),
    (date(2027, 1, 15), "hnd", "telegram", [("due_today", "A1", 0)]),
    (date(2027, 1, 18), "hnd", "telegram", [("overdue", "A1", 1)]),
    (date(2027, 1, 19), "dtn", "telegram", [("before_due", "A2", 3)]),
    (date(2027, 1, 21), "dtn", "telegram", [("before_due", "A2", 1)]),
    (date(2027, 1, 22), "dtn", "telegram", [("due_today", "A2", 0)]),
    (date(2027, 1, 25), "dtn", "telegram", [("overdue", "A2", 1)]),
    (
        date(2027, 1, 26),
        "hnd",
        "telegram",
        [("before_due", "A3", 7), ("period_report", "A6", 3)],
    ),
    (date(2027, 1, 28), "dtn", "telegram", [("overdue", "A2", 4)]),
    (date(2027, 1, 28), "hnd", "telegram", [("period_report", "A6", 1)]),
    (date(2027, 1, 29), "head", "telegram", [("escalation", "A2", 5)]),
    (date(2027, 1, 29), "hnd", "telegram", [("period_report", "A6", 0)]),
    (date(2027, 2, 1), "hnd", "telegram", [("before_due", "A3", 3)]),
    (date(2027, 2, 2), "dtn", "telegram", [("overdue", "A2", 7)]),
    (date(2027, 2, 3), "dtn", "telegram", [("before_due", "A5", 7)]),
    (date(2027, 2, 3), "hnd", "telegram", [("before_due", "A3", 1)]),
    # Tết: nothing from Thursday 04/02 to Wednesday 10/02.
    (date(2027, 2, 11), "hnd", "telegram", [("due_today", "A3", 0)]),
    (date(2027, 2, 12), "dtn", "telegram", [("overdue", "A2", 10)]),
    # Approved on Friday afternoon: told on Monday; the due date is now 19/03.
    (date(2027, 2, 15), "dtn", "telegram", [("extension_approved", "A5", 24)]),
    (date(2027, 2, 17), "dtn", "telegram", [("overdue", "A2", 13)]),
    # The second notice, published on 17/02 in the afternoon.
    (date(2027, 2, 18), "mttq", "email", [("new", "A7", 16)]),
    (date(2027, 2, 23), "hnd", "telegram", [("period_report", "A6", 3)]),
    (date(2027, 2, 24), "mttq", "email", [("before_due", "A4", 7)]),
    (date(2027, 2, 25), "hnd", "telegram", [("period_report", "A6", 1)]),
    (date(2027, 2, 26), "hnd", "telegram", [("period_report", "A6", 0)]),
    (date(2027, 3, 2), "mttq", "email", [("before_due", "A4", 3)]),
    (date(2027, 3, 3), "mttq", "email", [("before_due", "A7", 7)]),
    (date(2027, 3, 4), "mttq", "email", [("before_due", "A4", 1)]),
    # Due on Sunday 07/03: announced on the Friday.
    (date(2027, 3, 5), "mttq", "email", [("due_today", "A4", 0)]),
    (date(2027, 3, 8), "mttq", "email", [("overdue", "A4", 1)]),
    (date(2027, 3, 9), "mttq", "email", [("before_due", "A7", 3)]),
    (date(2027, 3, 10), "dtn", "telegram", [("before_due", "A5", 7)]),
    (date(2027, 3, 11), "mttq", "email", [("before_due", "A7", 1)]),
    (date(2027, 3, 12), "mttq", "email", [("due_today", "A7", 0)]),
    (date(2027, 3, 15), "mttq", "email", [("overdue", "A7", 1)]),
    (date(2027, 3, 16), "dtn", "telegram", [("before_due", "A5", 3)]),
    (date(2027, 3, 18), "dtn", "telegram", [("before_due", "A5", 1)]),
    (date(2027, 3, 18), "mttq", "email", [("overdue", "A7", 4)]),
    (date(2027, 3, 19), "dtn", "telegram", [("due_today", "A5", 0)]),
    (date(2027, 3, 19), "head", "telegram", [("escalation", "A7", 5)]),
    (date(2027, 3, 22), "dtn", "telegram", [("overdue", "A5", 1)]),
    (date(2027, 3, 22), "hnd", "telegram", [("before_due", "A6", 7)]),
    (date(2027, 3, 23), "mttq", "email", [("overdue", "A7", 7)]),
    (date(2027, 3, 25), "dtn", "telegram", [("overdue", "A5", 4)]),
    (date(2027, 3, 26), "head", "telegram", [("escalation", "A5", 5)]),
    (date(2027, 3, 26), "hnd", "telegram", [("before_due", "A6", 3)]),
    (date(2027, 3, 26), "mttq", "email", [("overdue", "A7", 10)]),
    (date(2027, 3, 30), "dtn", "telegram", [("overdue", "A5", 7)]),
    (date(2027, 3, 30), "hnd", "telegram", [("before_due", "A6", 1)]),
    (date(2027, 3, 31), "hnd", "telegram", [("due_today", "A6", 0)]),
    (date(2027, 3, 31), "mttq", "email", [("overdue", "A7", 13)]),
]


# The unit's own head of the Youth Union reads what its officer reads (but not the answer to
# the officer's own extension request), and the first step of the chain: 3 working days
# overdue (A2 due Friday 22/01, A5 due Friday 19/03 after its extension).
EXPECTED_CHAIN = sorted(
    [
        (day, "dtn_head", channel, items)
        for day, who, channel, items in EXPECTED
        if who == "dtn" and items[0][0] != "extension_approved"
    ]
    + [
        (date(2027, 1, 27), "dtn_head", "telegram", [("unit_escalation", "A2", 3)]),
        (date(2027, 3, 24), "dtn_head", "telegram", [("unit_escalation", "A5", 3)]),
    ]
    + EXPECTED
)
# Each reader's own time (None: the installation's 08:00).
DIGEST_TIMES = {"dtn_head": time(16, 30), "head": time(9, 15)}


@dataclass
class Province:
    units: dict[str, Unit]
    people: dict[str, User]
    assignments: dict[str, Assignment]
    secretary: User
    store: EvidenceStore


@pytest.fixture
def settings(app: Flask) -> Settings:
    return replace(
        app.extensions["tracker.settings"],
        base_url="https://dondoc.example.vn",
        telegram=TelegramSettings(token="123:quarter"),
        zalo=ZaloSettings(),
        smtp=SmtpSettings(host="127.0.0.1", sender="dondoc@example.vn"),
    )


@pytest.fixture
def province(session: Session, tmp_path: Path) -> Province:
    """Three units and their leads, a head, a secretary; the first notice, published on
    31/12/2026 at 10:00, with six assignments; a draft that must never be reminded."""
    units = {
        "hnd": make_unit(session, "HND", "Hội Nông dân tỉnh"),
        "dtn": make_unit(session, "DTN", "Tỉnh đoàn"),
        "mttq": make_unit(session, "MTTQ", "Ủy ban MTTQ Việt Nam tỉnh"),
    }
    names = {
        "hnd": "Nguyễn Văn An",
        "dtn": "Trần Thị Bình",
        "mttq": "Phạm Minh Châu",
        "head": "Lê Quang Dũng",
        "dtn_head": "Hoàng Văn Em",
    }
    people = {
        key: make_user(session, "unit", unit=unit, username=key) for key, unit in units.items()
    }
    people["head"] = make_user(session, "head", username="head")
    people["dtn_head"] = make_user(session, "unit", unit=units["dtn"], username="dtn_head")
    people["dtn_head"].is_unit_head = True
    for key, at in DIGEST_TIMES.items():
        people[key].digest_time = at
    secretary = make_user(session, "secretary", username="thuky")
    for key, person in people.items():
        person.full_name = names[key]
        if key != "mttq":  # the Front's lead has only e-mail
            session.add(ChatLink(user_id=person.id, channel="telegram", external_id=f"chat-{key}"))
    people["mttq"].email = "mttq@example.vn"
    first = make_notice(session, by=secretary, number="01-TB/TU")
    plan = {
        "A1": ("hnd", "1", date(2027, 1, 15), "Rà soát danh sách hộ nghèo"),
        "A2": ("dtn", "2", date(2027, 1, 22), "Tổ chức Tháng Thanh niên"),
        "A3": ("hnd", "3", date(2027, 2, 11), "Chuẩn bị hội nghị sau Tết"),
        "A4": ("mttq", "4", date(2027, 3, 7), "Giám sát chương trình nông thôn mới"),
        "A5": ("dtn", "5", date(2027, 2, 19), "Báo cáo công tác đoàn kết"),
        "A6": ("hnd", "6", date(2027, 3, 31), "Báo cáo tình hình nông dân hằng tháng"),
    }
    assignments = {}
    for label, (unit, code, due, text) in plan.items():
        assignment = make_assignment(session, first, units[unit], code=code, due=due, text=text)
        assignment.created_at = local(date(2026, 12, 31), 10)
        assignments[label] = assignment
    session.get_one(Task, assignments["A6"].task_id).recurrence = "monthly"
    draft = make_notice(session, published=False, number="08-TB/TU")
    make_assignment(session, draft, units["dtn"], code="1", due=date(2027, 3, 10))
    session.commit()
    return Province(units, people, assignments, secretary, EvidenceStore(tmp_path / "uploads"))


def done(session: Session, province: Province, label: str, person: str, day: date) -> None:
    assignment = province.assignments[label]
    session.refresh(assignment)
    report_progress(
        session,
        actor=province.people[person],
        assignment_id=assignment.id,
        expected_version=assignment.version,
        status="done",
        percent=100,
        note="Đã hoàn thành",
        uploads=[],
        store=province.store,
        today=day,
    )


def test_a_quarter_of_reminders(
    session: Session, settings: Settings, province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = {"now": local(FIRST, 8)}
    monkeypatch.setattr(extensions, "utcnow", lambda: clock["now"])

    def second_notice(day: date) -> None:
        notice = make_notice(session, by=province.secretary, number="07-TB/TU")
        created = make_assignment(
            session,
            notice,
            province.units["mttq"],
            code="1",
            due=date(2027, 3, 12),
            text="Tổng hợp ý kiến cử tri trước kỳ họp",
        )
        created.created_at = local(day, 14)
        province.assignments["A7"] = created

    def extension_asked(day: date) -> None:
        extensions.request_extension(
            session,
            actor=province.people["dtn"],
            assignment_id=province.assignments["A5"].id,
            requested_due=date(2027, 3, 19),
            reason="Chờ số liệu của các huyện",
            today=day,
        )

    def extension_approved(day: date) -> None:
        clock["now"] = local(day, 15)
        (pending,) = extensions.list_pending(session, actor=province.secretary)
        extensions.decide_extension(
            session,
            actor=province.secretary,
            request_id=pending.request.id,
            approve=True,
            comment="",
        )

    # What happens during the day, after the 08:00 digest.
    script = {
        date(2027, 1, 20): [lambda day: done(session, province, "A1", "hnd", day)],
        date(2027, 2, 11): [
            lambda day: done(session, province, "A3", "hnd", day),
            extension_asked,
        ],
        date(2027, 2, 12): [extension_approved],
        date(2027, 2, 17): [
            second_notice,
            lambda day: done(session, province, "A2", "dtn", day),
        ],
        date(2027, 3, 8): [lambda day: done(session, province, "A4", "mttq", day)],
    }

    working_days = []
    day = FIRST
    while day <= LAST:
        summary = plan_day(session, day=day, now=local(day, 8), settings=settings)
        session.commit()
        if summary.is_working_day:
            working_days.append(day)
            assert summary.people_without_channel == 0
        for change in script.get(day, []):
            change(day)
            session.commit()
        day += timedelta(days=1)

    labels = {assignment.id: label for label, assignment in province.assignments.items()}
    who = {person.id: key for key, person in province.people.items()}
    # The digests (the inbox's own rows, kind "event", are tested in tests/inbox).
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "digest")
        .order_by(OutboxMessage.day, OutboxMessage.user_id)
    ).all()
    received = sorted(
        (
            row.day,
            who[row.user_id],
            row.channel,
            [(item["rule"], labels[item["assignment_id"]], item["days"]) for item in row.items],
        )
        for row in rows
    )
    assert received == EXPECTED_CHAIN
    # Each message leaves at its reader's own time on its day.
    for row in rows:
        at = DIGEST_TIMES.get(who[row.user_id], time(8))
        assert _utc(row.next_attempt_at) == local(row.day, at.hour, at.minute), who[row.user_id]

    days_with_messages = {row.day for row in rows}
    assert not any(day.weekday() >= 5 for day in days_with_messages)
    assert not days_with_messages & TET
    assert not set(working_days) & TET and date(2027, 1, 1) not in working_days
    assert len(working_days) == 20 + 15 + 23
    # The draft's assignment, the secretary: never.
    assert province.secretary.id not in {row.user_id for row in rows}

    # The chain's three messages about A2, exactly as they are read.
    a2 = province.assignments["A2"].id
    view = f'<a href="https://dondoc.example.vn/nhiem-vu/{a2}">Xem</a>'
    ending = [
        "",
        'Xem và báo cáo tại <a href="https://dondoc.example.vn">https://dondoc.example.vn</a>',
        "Trân trọng,",
        "<i>Bộ phận theo dõi, đôn đốc</i>",
    ]
    chain = {
        (row.day, who[row.user_id]): row.body.splitlines()
        for row in rows
        if any(item["assignment_id"] == a2 for item in row.items)
    }
    assert chain[(date(2027, 1, 28), "dtn")][3:5] == [
        "<b>Quá hạn</b>",
        "• <b>2</b> (TB số 01-TB/TU): Tổ chức Tháng Thanh niên · hạn 22/01/2027, quá hạn 4 "
        f"ngày làm việc. {view}",
    ]
    assert chain[(date(2027, 1, 27), "dtn_head")] == [
        "Kính gửi đồng chí <b>Hoàng Văn Em</b>,",
        "Bộ phận theo dõi, đôn đốc xin thông tin 1 nhiệm vụ cần chú ý ngày 27/01/2027.",
        "",
        "<b>Quá hạn từ 3 ngày làm việc trở lên (báo cáo trưởng đơn vị)</b>",
        "• <b>2</b> (TB số 01-TB/TU): Tổ chức Tháng Thanh niên · hạn 22/01/2027, quá hạn 3 "
        f"ngày làm việc. {view}",
        *ending,
    ]
    assert chain[(date(2027, 1, 29), "head")] == [
        "Kính gửi đồng chí <b>Lê Quang Dũng</b>,",
        "Bộ phận theo dõi, đôn đốc xin thông tin 1 nhiệm vụ cần chú ý ngày 29/01/2027.",
        "",
        "<b>Quá hạn từ 5 ngày làm việc trở lên (báo cáo lãnh đạo)</b>",
        "• <b>2</b> (TB số 01-TB/TU): Tổ chức Tháng Thanh niên · <i>Tỉnh đoàn</i> · hạn "
        f"22/01/2027, quá hạn 5 ngày làm việc. {view}",
        *ending,
    ]
    # Each step of the chain once: no second unit-head or head message about A2.
    assert [key for key in chain if key[1] in ("dtn_head", "head")].count(
        (date(2027, 1, 27), "dtn_head")
    ) == 1
    steps = [
        (row.day, item["rule"])
        for row in rows
        for item in row.items
        if item["assignment_id"] == a2 and item["rule"] in ("unit_escalation", "escalation")
    ]
    assert steps == [(date(2027, 1, 27), "unit_escalation"), (date(2027, 1, 29), "escalation")]

    # One digest as it will be read: the Friday announcement of the Sunday due date, by e-mail.
    (friday,) = [row for row in rows if row.day == date(2027, 3, 5)]
    assert friday.subject == "Đôn Đốc: 1 nhiệm vụ cần chú ý ngày 05/03/2027"
    assert friday.address == "mttq@example.vn"
    assert friday.body.splitlines() == [
        "Kính gửi đồng chí <b>Phạm Minh Châu</b>,",
        "Bộ phận theo dõi, đôn đốc xin thông tin 1 nhiệm vụ cần chú ý ngày 05/03/2027.",
        "",
        "<b>Đến hạn hôm nay</b>",
        "• <b>4</b> (TB số 01-TB/TU): Giám sát chương trình nông thôn mới · hạn 07/03/2027 "
        "(ngày nghỉ), cần hoàn thành trong hôm nay. "
        f'<a href="https://dondoc.example.vn/nhiem-vu/{province.assignments["A4"].id}">Xem</a>',
        "",
        'Xem và báo cáo tại <a href="https://dondoc.example.vn">https://dondoc.example.vn</a>',
        "Trân trọng,",
        "<i>Bộ phận theo dõi, đôn đốc</i>",
    ]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
