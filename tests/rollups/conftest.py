"""A known province over three quarters of 2021, whose every figure the tests check.

    TINH (province board)            HOI (an organisation, a second root)
    ├── HUYEN_A ── XA_A1
    └── HUYEN_B

Q1 (due 31/03): a1 HUYEN_A done 20/03 (on time) · a2 XA_A1 done 10/04 (late, carried into Q2)
                a3 HOI in progress (overdue, carried into Q2) · a4 HUYEN_B cancelled
Q2 (due 30/06): b1 TINH done 30/06 (on time) · b2 HUYEN_A in progress · b3 XA_A1 not started
                b4 HOI done 05/07 (late) · b5 HUYEN_B in progress, due 15/05 (overdue)
Q3 (due 30/09): c1 HUYEN_B not started · c2 HOI in progress
Not counted: a delegated part of b2, an assignment of a draft notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import Session

from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments.models import Assignment, ProgressReport
from tracker.db import clock_at
from tracker.notices.models import Conclusion, Task
from tracker.units.models import Unit

Q1_END, Q2_END, Q3_END = date(2021, 3, 31), date(2021, 6, 30), date(2021, 9, 30)
JUNE_30, JULY_1 = date(2021, 6, 30), date(2021, 7, 1)
PUBLISHED_AT = datetime(2021, 1, 1, 2, tzinfo=UTC)


@dataclass
class World:
    head: User
    secretary: User
    units: dict[str, Unit]
    users: dict[str, User]
    notices: dict[str, Conclusion]
    assignments: dict[str, Assignment]


def _assign(
    session: Session,
    notice: Conclusion,
    unit: Unit,
    code: str,
    group: str,
    due: date,
    status: str = "not_started",
    completed_on: date | None = None,
) -> Assignment:
    assignment = make_assignment(
        session,
        notice,
        unit,
        code=code,
        due=due,
        status="in_progress" if status == "done" else status,
        text=f"Nhiệm vụ {code} của {unit.code}",
    )
    if status in ("in_progress", "done"):
        assignment.percent = 50
        session.add(assignment)
        session.flush()
    if completed_on is not None:
        # Reported done on the day it was completed: the figures know it from that day on.
        with clock_at(datetime.combine(completed_on, time(3), tzinfo=UTC)):
            assignment.status, assignment.completed_on = status, completed_on
            assignment.percent = 100
            session.add(assignment)
            session.flush()
    task = session.get(Task, assignment.task_id)
    assert task is not None
    task.group_title, task.position = group, int(code.replace(".", ""))
    session.add(task)
    return assignment


@pytest.fixture
def world(session: Session) -> World:
    # Everything was published and recorded on 01/01/2021; a completion counts from its date.
    with clock_at(PUBLISHED_AT):
        tinh = make_unit(session, "TINH", "Ban Dân vận Tỉnh ủy")
        huyen_a = make_unit(session, "HUYEN_A", "Ban Dân vận Huyện ủy An Phú", parent=tinh)
        xa_a1 = make_unit(session, "XA_A1", "Đảng ủy xã Tân An", parent=huyen_a)
        huyen_b = make_unit(session, "HUYEN_B", "Ban Dân vận Huyện ủy Bình Sơn", parent=tinh)
        hoi = make_unit(session, "HOI", "Hội Nông dân tỉnh")
        secretary = make_user(session, "secretary", username="thuky")
        head = make_user(session, "head", username="lanhdao")
        users = {
            "huyen_a": make_user(session, "unit", unit=huyen_a, username="huyen_a"),
            "xa_a1": make_user(session, "unit", unit=xa_a1, username="xa_a1"),
            "hoi": make_user(session, "unit", unit=hoi, username="hoi"),
        }
        n1 = make_notice(session, by=secretary, number="01-TB/BDVTU")
        n2 = make_notice(session, by=secretary, number="02-TB/BDVTU")
        n3 = make_notice(session, by=secretary, number="03-TB/BDVTU")
        draft = make_notice(session, published=False, number="04-TB/BDVTU")
        g1, g2 = "Công tác tham mưu", "Công tác vận động quần chúng"
        a = {
            "a1": _assign(session, n1, huyen_a, "1.1", g1, Q1_END, "done", date(2021, 3, 20)),
            "a2": _assign(session, n1, xa_a1, "1.2", g1, Q1_END, "done", date(2021, 4, 10)),
            "a3": _assign(session, n1, hoi, "2.1", g2, Q1_END, "in_progress"),
            "a4": _assign(session, n1, huyen_b, "2.2", g2, Q1_END, "cancelled"),
            "b1": _assign(session, n2, tinh, "1.1", g1, Q2_END, "done", Q2_END),
            "b2": _assign(session, n2, huyen_a, "1.2", g1, Q2_END, "in_progress"),
            "b3": _assign(session, n2, xa_a1, "1.3", g1, Q2_END),
            "b4": _assign(session, n2, hoi, "2.1", g2, Q2_END, "done", date(2021, 7, 5)),
            "b5": _assign(session, n2, huyen_b, "2.2", g2, date(2021, 5, 15), "in_progress"),
            "c1": _assign(session, n3, huyen_b, "1.1", g1, Q3_END),
            "c2": _assign(session, n3, hoi, "1.2", g1, Q3_END, "in_progress"),
        }
        session.add(
            Assignment(task_id=a["b2"].task_id, unit_id=xa_a1.id, due=Q2_END, parent_id=a["b2"].id)
        )
        _assign(session, draft, tinh, "1.1", g1, Q2_END)
        session.add(
            ProgressReport(
                assignment_id=a["b2"].id,
                author_id=users["huyen_a"].id,
                status_before="not_started",
                status_after="in_progress",
                percent_before=0,
                percent_after=50,
                note="Đã họp triển khai tới các xã.",
            )
        )
        session.commit()
    return World(
        head=head,
        secretary=secretary,
        units={u.code: u for u in (tinh, huyen_a, xa_a1, huyen_b, hoi)},
        users=users,
        notices={"n1": n1, "n2": n2, "n3": n3},
        assignments=a,
    )
