"""The state of an assignment at a date: each rule, and the Python twin pinned to the SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import login_as, make_assignment, make_notice, make_unit, make_user
from tracker.assignments import extensions, progress
from tracker.assignments.asof import State, category_at, category_on, in_force, state_on
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import Assignment
from tracker.assignments.queries import count_by_category
from tracker.assignments.status import Category
from tracker.db import clock_at
from tracker.i18n import local_today
from tracker.notices import corrections, drafts
from tracker.notices.models import Task, TaskUnit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_1 = date(2026, 3, 2)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A local time of day, as the UTC moment the clock reads."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


def on(day_number: int) -> date:
    return DAY_1 + timedelta(days=day_number - 1)


def category(session: Session, assignment: Assignment, day: date) -> Category | None:
    state = state_on(session, assignment.id or 0, day)
    return state.category if state else None


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "uploads")


def test_the_python_twin_gives_the_sql_category(session: Session) -> None:
    """Every status, with and without a due date, completed before, on and after it, judged on
    days around each: the twin and the SQL agree on every one."""
    unit = make_unit(session, "U")
    notice = make_notice(session)
    due = on(10)
    with clock_at(at(on(1))):
        cases = [
            ("not_started", None, None),
            ("not_started", due, None),
            ("in_progress", due, None),
            ("in_progress", None, None),
            ("done", due, on(5)),
            ("done", due, on(10)),
            ("done", due, on(15)),
            ("done", None, on(15)),
            ("cancelled", due, None),
        ]
        for number, (status, due_on, completed_on) in enumerate(cases):
            make_assignment(
                session,
                notice,
                unit,
                code=str(number),
                due=due_on,
                status=status,
                completed_on=completed_on,
            )
    session.commit()
    seen = set()
    for day in [on(n) for n in range(1, 21)]:
        rows = session.exec(
            select(State.status, State.due, State.completed_on, category_at(day)).where(
                in_force(day)
            )
        ).all()
        assert len(rows) == len(cases)
        for status, due_on, completed_on, in_sql in rows:
            assert category_on(status, due_on, completed_on, day).value == in_sql
            seen.add(in_sql)
    assert seen == {category.value for category in Category}


def test_it_exists_from_its_publication_and_not_before(session: Session) -> None:
    unit = make_unit(session, "U")
    secretary = make_user(session, "secretary")
    notice = make_notice(session, published=False, by=secretary)
    task = Task(conclusion_id=notice.id, code="1", text="Việc", due=on(30))
    session.add(task)
    session.flush()
    session.add(TaskUnit(task_id=task.id, unit_id=unit.id, role="lead"))
    # Published at 23:30 local time on day 5: 16:30 UTC, still day 5 where the users are.
    with clock_at(at(on(5), 23, 30)):
        [assignment] = drafts.publish(
            session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version
        )
    session.commit()
    assert category(session, assignment, on(4)) is None
    assert category(session, assignment, on(5)) == Category.NOT_STARTED


def test_an_assignment_added_by_a_correction_exists_from_that_day(session: Session) -> None:
    kept, added = make_unit(session, "GIU"), make_unit(session, "THEM")
    dropped = make_unit(session, "BO")
    secretary = make_user(session, "secretary")
    with clock_at(at(on(1))):
        notice = make_notice(session, by=secretary)
        first = make_assignment(session, notice, kept, due=on(30))
        task = session.get(Task, first.task_id)
        second = Assignment(task_id=task.id, unit_id=dropped.id, due=on(30))
        session.add(second)
        session.add(TaskUnit(task_id=task.id, unit_id=kept.id, role="lead"))
        session.add(TaskUnit(task_id=task.id, unit_id=dropped.id, role="lead"))
        session.flush()
    with clock_at(at(on(20))):
        corrections.correct_task(
            session,
            actor=secretary,
            task_id=task.id,
            expected_stamp=task.updated_at.isoformat(),
            text=task.text,
            due=on(40),
            lead=[f"u:{kept.id}", f"u:{added.id}"],
            support=[],
        )
    session.commit()
    new = session.exec(select(Assignment).where(Assignment.unit_id == added.id)).one()
    assert category(session, new, on(19)) is None
    assert category(session, new, on(20)) == Category.NOT_STARTED
    # The cancellation of the dropped lead counts from the day it was made, not before.
    assert category(session, second, on(19)) == Category.NOT_STARTED
    assert category(session, second, on(20)) == Category.CANCELLED
    # The corrected due date is in force from that day: on day 35 the kept one is not overdue.
    assert state_on(session, first.id or 0, on(19)).due == on(30)
    assert category(session, first, on(35)) == Category.NOT_STARTED
    assert state_on(session, first.id or 0, on(35)).due == on(40)


def test_status_and_completion_are_those_of_the_last_report_by_the_end_of_the_day(
    session: Session, store: EvidenceStore
) -> None:
    unit = make_unit(session, "U")
    user = make_user(session, "unit", unit=unit)
    with clock_at(at(on(1))):
        assignment = make_assignment(session, make_notice(session), unit, due=on(10))
    session.commit()

    def report(moment: datetime, status: str, percent: int) -> None:
        with clock_at(moment):
            progress.report_progress(
                session,
                actor=user,
                assignment_id=assignment.id,
                expected_version=assignment.version,
                status=status,
                percent=percent,
                note="",
                uploads=[],
                store=store,
                today=moment.astimezone(ZONE).date(),
            )
        session.commit()

    report(at(on(3)), "in_progress", 20)
    report(at(on(3), 16), "in_progress", 40)  # the day ends with its last report
    # 00:30 on day 12 where the users are, still day 11 in UTC: it counts from day 12.
    report(at(on(12), 0, 30), "done", 100)
    assert category(session, assignment, on(2)) == Category.NOT_STARTED
    assert state_on(session, assignment.id, on(3)).percent == 40
    assert category(session, assignment, on(10)) == Category.IN_PROGRESS
    assert category(session, assignment, on(11)) == Category.OVERDUE
    day_12 = state_on(session, assignment.id, on(12))
    assert day_12.category == Category.DONE_LATE and day_12.completed_on == on(12)


def test_an_extension_applies_from_the_day_it_is_approved(
    session: Session, store: EvidenceStore
) -> None:
    unit = make_unit(session, "U")
    user = make_user(session, "unit", unit=unit)
    head = make_user(session, "head")
    with clock_at(at(on(1))):
        assignment = make_assignment(session, make_notice(session), unit, due=on(10))
    with clock_at(at(on(8))):
        asked = extensions.request_extension(
            session,
            actor=user,
            assignment_id=assignment.id,
            requested_due=on(30),
            reason="Chờ số liệu",
            today=on(8),
        )
    with clock_at(at(on(14))):
        extensions.decide_extension(
            session, actor=head, request_id=asked.id, approve=True, comment=""
        )
    with clock_at(at(on(20))):
        progress.report_progress(
            session,
            actor=user,
            assignment_id=assignment.id,
            expected_version=assignment.version,
            status="done",
            percent=100,
            note="",
            uploads=[],
            store=store,
            today=on(20),
        )
    session.commit()
    assert category(session, assignment, on(10)) == Category.NOT_STARTED
    # Requested on day 8, approved on day 14: days 11 to 13 it was overdue.
    assert category(session, assignment, on(13)) == Category.OVERDUE
    assert category(session, assignment, on(14)) == Category.NOT_STARTED
    # Completed on day 20, within the due date in force then (day 30): on time.
    assert category(session, assignment, on(20)) == Category.DONE_ON_TIME


def test_a_refused_extension_changes_nothing(session: Session) -> None:
    unit = make_unit(session, "U")
    user = make_user(session, "unit", unit=unit)
    head = make_user(session, "head")
    with clock_at(at(on(1))):
        assignment = make_assignment(session, make_notice(session), unit, due=on(10))
    with clock_at(at(on(8))):
        asked = extensions.request_extension(
            session,
            actor=user,
            assignment_id=assignment.id,
            requested_due=on(30),
            reason="Chờ số liệu",
            today=on(8),
        )
    with clock_at(at(on(9))):
        extensions.decide_extension(
            session, actor=head, request_id=asked.id, approve=False, comment="Không có căn cứ"
        )
    session.commit()
    assert [state_on(session, assignment.id, on(n)).due for n in (8, 9, 20)] == [on(10)] * 3
    assert category(session, assignment, on(11)) == Category.OVERDUE


def test_a_completion_reported_today_leaves_yesterdays_figures_alone(
    app, client: FlaskClient, session: Session
) -> None:  # type: ignore[no-untyped-def]
    """Black box: the head's dashboard for yesterday, before and after a unit reports done
    today through the web form."""
    with app.app_context():
        today = local_today()
    unit = make_unit(session, "U")
    make_user(session, "unit", unit=unit, username="donvi")
    make_user(session, "head", username="lanhdao")
    with clock_at(at(today - timedelta(days=10))):
        assignment = make_assignment(
            session, make_notice(session), unit, due=today + timedelta(days=5)
        )
    session.commit()
    yesterday = (today - timedelta(days=1)).isoformat()
    login_as(client, "lanhdao")
    before = client.get(f"/tong-hop?ngay={yesterday}").get_data(as_text=True)
    today_before = client.get("/tong-hop").get_data(as_text=True)
    client.post("/dang-xuat", data={"csrf_token": _token(client, "/tong-hop")})

    login_as(client, "donvi")
    page = f"/nhiem-vu/{assignment.id}"
    answer = client.post(
        f"{page}/bao-cao",
        data={
            "csrf_token": _token(client, page),
            "version": str(assignment.version),
            "status": "done",
            "percent": "100",
            "note": "Đã xong",
        },
    )
    assert answer.status_code == 302
    session.expire_all()
    assert session.get(Assignment, assignment.id).status == "done"
    client.post("/dang-xuat", data={"csrf_token": _token(client, page)})

    login_as(client, "lanhdao")
    after = client.get(f"/tong-hop?ngay={yesterday}").get_data(as_text=True)
    today_after = client.get("/tong-hop").get_data(as_text=True)
    assert _tiles(after) == _tiles(before)
    assert _tiles(today_after) != _tiles(today_before)  # today's figures do see it


def test_a_future_reference_date_is_refused(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    with app.app_context():
        tomorrow = local_today() + timedelta(days=1)
    make_user(session, "head", username="lanhdao")
    session.commit()
    login_as(client, "lanhdao")
    response = client.get(f"/tong-hop?ngay={tomorrow.isoformat()}")
    assert response.status_code == 400
    assert f"Chưa có số liệu của ngày {tomorrow:%d/%m/%Y}" in response.get_data(as_text=True)
    listing = client.get(f"/tong-hop/danh-sach?ngay={tomorrow.isoformat()}")
    assert listing.status_code == 400


def test_the_head_counts_use_the_same_rule(session: Session) -> None:
    unit = make_unit(session, "U")
    head = make_user(session, "head")
    with clock_at(at(on(1))):
        make_assignment(session, make_notice(session), unit, due=on(10))
    with clock_at(at(on(15))):
        make_assignment(session, make_notice(session), unit, due=on(10))
    session.commit()
    assert count_by_category(session, actor=head, reference=on(12))[Category.OVERDUE] == 1
    assert count_by_category(session, actor=head, reference=on(15))[Category.OVERDUE] == 2


def _token(client: FlaskClient, path: str) -> str:
    from tests.helpers import csrf_token

    return csrf_token(client, path)


def _tiles(body: str) -> list[str]:
    import re

    return re.findall(r'<span class="tile-count">([^<]+)</span>', body)
