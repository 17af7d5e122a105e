"""A scripted quarter replayed day by day: the figures of every past day, recomputed at the end,
are those the dashboard showed that evening.

90 days from Monday 05/01/2026: notices published, reports from the web and from the chat,
delegations to communes, extensions asked, approved and refused, corrections of published tasks
(a due date moved, a lead dropped and so cancelled, a lead added). Each change runs through the
service the web or the chat calls, with the clock set to that day; at the end of each day the
head's figures are captured. The Q1 review is frozen on day 40, at that day's end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlmodel import Session, select

from bots.conversation import changes
from bots.conversation.turn import start_turn
from tests.helpers import make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments import extensions, progress
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from tracker.assignments.queries import list_unit_assignments
from tracker.assignments.status import Category
from tracker.db import clock_at
from tracker.errors import DomainError, InvalidInput
from tracker.notices import corrections, drafts
from tracker.notices.models import Task, TaskUnit
from tracker.rollups import queries, reviews
from tracker.rollups.periods import Period
from tracker.units.models import Unit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2026, 1, 5)
DAYS = 90
FREEZE_DAY = 40
Q1 = Period.parse("2026-Q1")
PUBLISH_DAYS = {0: 6, 20: 5, 45: 5, 70: 4}
CORRECTION_DAYS = (30, 55, 75)


def moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE).astimezone(UTC)


@dataclass
class Province:
    head: User
    secretary: User
    districts: list[Unit]
    communes: dict[int, list[Unit]]  # district id -> its communes
    people: dict[int, User]  # unit id -> its lead


def _province(session: Session) -> Province:
    root = make_unit(session, "TINH", "Ban Dân vận Tỉnh ủy")
    districts = [make_unit(session, f"H{n}", f"Huyện {n}", parent=root) for n in range(1, 4)]
    communes = {
        d.id: [make_unit(session, f"X{n}{m}", f"Xã {n}.{m}", parent=d) for m in range(1, 3)]
        for n, d in enumerate(districts, start=1)
    }
    units = [root, *districts, *[c for group in communes.values() for c in group]]
    people = {unit.id: make_user(session, "unit", unit=unit) for unit in units}
    return Province(
        head=make_user(session, "head"),
        secretary=make_user(session, "secretary"),
        districts=[root, *districts],
        communes=communes,
        people=people,
    )


def _publish(session: Session, p: Province, day: date, tasks: int, rng: random.Random) -> None:
    notice = make_notice(session, published=False, by=p.secretary, number=f"{day:%d%m}-TB")
    for position in range(tasks):
        task = Task(
            conclusion_id=notice.id,
            code=str(position + 1),
            position=position,
            text=f"Nhiệm vụ {position + 1}",
            due=day + timedelta(days=rng.randint(8, 50)),
        )
        session.add(task)
        session.flush()
        for unit in rng.sample(p.districts, k=rng.choice((1, 1, 2))):
            session.add(TaskUnit(task_id=task.id, unit_id=unit.id, role="lead"))
    session.flush()
    drafts.publish(
        session, actor=p.secretary, conclusion_id=notice.id, expected_version=notice.version
    )


def _open(session: Session) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment)
            .where(Assignment.status.in_([AssignmentStatus.NOT_STARTED, "in_progress"]))
            .order_by(Assignment.id)
        ).all()
    )


class Script:
    """One day's changes, each in a savepoint: a refused one changes nothing and is counted."""

    def __init__(self, session: Session, p: Province, app: Flask, store: EvidenceStore) -> None:
        self.session, self.p, self.store = session, p, store
        self.settings = app.extensions["tracker.settings"]
        self.rng = random.Random(20260105)
        self.done: dict[str, int] = {}

    def _try(self, name: str, work: Any) -> None:
        try:
            with self.session.begin_nested():
                work()
            self.done[name] = self.done.get(name, 0) + 1
        except DomainError:
            self.done[f"{name} refused"] = self.done.get(f"{name} refused", 0) + 1

    def day(self, number: int, day: date) -> None:
        session, rng = self.session, self.rng
        if number in PUBLISH_DAYS:
            with clock_at(moment(day, 8)):
                self._try(
                    "publish", lambda: _publish(session, self.p, day, PUBLISH_DAYS[number], rng)
                )
        if number in CORRECTION_DAYS:
            with clock_at(moment(day, 9)):
                self._try("correction", lambda: self._correct(day))
        for hour in (10, 14, 17):
            candidates = _open(session)
            if not candidates:
                break
            assignment = rng.choice(candidates)
            action = rng.choices(("web", "chat", "delegate", "extend"), weights=(5, 4, 1, 2), k=1)[
                0
            ]
            with clock_at(moment(day, hour)):
                if action == "chat":
                    self._chat(assignment, day, hour)
                else:
                    self._try(action, lambda a=assignment, k=action: self._act(k, a, day))
        with clock_at(moment(day, 16)):
            for request in session.exec(
                select(ExtensionRequest).where(ExtensionRequest.status == ExtensionStatus.PENDING)
            ).all():
                if rng.random() < 0.4:
                    approve = rng.random() < 0.6
                    self._try(
                        "approve" if approve else "refuse",
                        lambda r=request, yes=approve: extensions.decide_extension(
                            session,
                            actor=self.p.head,
                            request_id=r.id,
                            approve=yes,
                            comment="" if yes else "Chưa đủ căn cứ",
                        ),
                    )

    def _report_values(self, assignment: Assignment) -> tuple[str, int]:
        percent = min(100, assignment.percent + self.rng.choice((10, 20, 30, 50)))
        return ("done", 100) if percent >= 100 else ("in_progress", percent)

    def _act(self, action: str, assignment: Assignment, day: date) -> None:
        session, actor = self.session, self.p.people[assignment.unit_id]
        if action == "web":
            status, percent = self._report_values(assignment)
            progress.report_progress(
                session,
                actor=actor,
                assignment_id=assignment.id,
                expected_version=assignment.version,
                status=status,
                percent=percent,
                note=f"Báo cáo ngày {day:%d/%m}",
                uploads=[],
                store=self.store,
                today=day,
            )
        elif action == "delegate":
            below = self.p.communes.get(assignment.unit_id)
            if not below or assignment.parent_id is not None:
                raise InvalidInput("Không có đơn vị cấp dưới")
            progress.delegate(
                session,
                actor=actor,
                assignment_id=assignment.id,
                unit_ids=[unit.id for unit in below],
                due=None,
                today=day,
            )
        else:
            extensions.request_extension(
                session,
                actor=actor,
                assignment_id=assignment.id,
                requested_due=max(assignment.due or day, day) + timedelta(days=14),
                reason="Cần thêm thời gian",
                today=day,
            )

    def _chat(self, assignment: Assignment, day: date, hour: int) -> None:
        turn = start_turn(self.session, "telegram", "42", moment(day, hour), self.settings)
        status, percent = self._report_values(assignment)
        outcome = changes.report(
            turn,
            self.p.people[assignment.unit_id],
            assignment,
            status=status,
            percent=percent,
            note="Từ Telegram",
        )
        name = "chat refused" if isinstance(outcome, DomainError) else "chat"
        self.done[name] = self.done.get(name, 0) + 1

    def _correct(self, day: date) -> None:
        """Move a task's due date, drop one of its leads (cancelled) and add another."""
        session = self.session
        tasks = [
            task
            for task in session.exec(select(Task).order_by(Task.id)).all()
            if session.exec(
                select(Assignment).where(
                    Assignment.task_id == task.id,
                    Assignment.parent_id.is_(None),
                    Assignment.status.in_(["not_started", "in_progress"]),
                )
            ).first()
        ]
        task = self.rng.choice(tasks)
        leads = [
            link.unit_id
            for link in session.exec(
                select(TaskUnit).where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
            ).all()
        ]
        others = [unit.id for unit in self.p.districts if unit.id not in leads]
        corrections.correct_task(
            session,
            actor=self.p.secretary,
            task_id=task.id,
            expected_stamp=task.updated_at.isoformat(),
            text=task.text,
            due=(task.due or day) + timedelta(days=10),
            lead=[f"u:{unit_id}" for unit_id in [*leads[1:], self.rng.choice(others)]],
            support=[],
        )


def _numbers(figures: queries.Figures) -> tuple[int, ...]:
    return tuple(figures.counts[category] for category in Category)


def capture(session: Session, p: Province, day: date) -> dict[str, Any]:
    """What the head's pages show at `day`: tiles, units, notices, the drill-down lists, the
    review of the quarter, and a district's own list."""
    scope = queries.Scope(reference=day)
    review_scope = queries.Scope(reference=day, period=Q1, carry_over=True)
    lines, _total = queries.list_assignments(session, actor=p.head, scope=scope, per_page=10_000)
    district = p.districts[1]
    return {
        "totals": _numbers(queries.totals(session, actor=p.head, scope=scope)),
        "units": {
            unit_id: _numbers(f)
            for unit_id, f in queries.by_unit(session, actor=p.head, scope=scope).items()
        },
        "notices": [
            (notice.id, _numbers(f))
            for notice, f in queries.by_notice(session, actor=p.head, scope=scope)
        ],
        "lines": [
            (
                line.assignment_id,
                line.category,
                line.status,
                line.percent,
                line.due,
                line.completed_on,
            )
            for line in lines
        ],
        "review_totals": _numbers(queries.totals(session, actor=p.head, scope=review_scope)),
        "review_units": {
            unit_id: _numbers(f)
            for unit_id, f in queries.by_unit(session, actor=p.head, scope=review_scope).items()
        },
        "unit_home": sorted(
            (row.assignment.id, row.category)
            for row in list_unit_assignments(session, actor=p.people[district.id], reference=day)
        ),
    }


@pytest.mark.slow
def test_every_past_day_shows_what_it_showed_that_evening(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    p = _province(session)
    session.commit()
    script = Script(session, p, app, EvidenceStore(tmp_path / "uploads"))
    captured: dict[date, dict[str, Any]] = {}
    review_id = 0
    for number in range(DAYS):
        day = START + timedelta(days=number)
        script.day(number, day)
        session.commit()
        captured[day] = capture(session, p, day)
        if number == FREEZE_DAY:
            with clock_at(moment(day, 22)):
                review = reviews.open_review(session, actor=p.head, period=Q1)
                review_id = review.id or 0
                with pytest.raises(InvalidInput, match="chưa đến"):
                    reviews.freeze(
                        session,
                        actor=p.head,
                        review_id=review_id,
                        meeting_on=day + timedelta(days=1),
                        today=day,
                    )
                reviews.freeze(
                    session, actor=p.head, review_id=review_id, meeting_on=day, today=day
                )
            session.commit()

    # The scenario did what it says: every kind of change happened, and figures moved.
    for kind in ("publish", "web", "chat", "delegate", "extend", "approve", "refuse", "correction"):
        assert script.done.get(kind, 0) > 0, (kind, script.done)
    assert session.exec(select(Assignment).where(Assignment.status == "cancelled")).first()
    assert len({c["totals"] for c in captured.values()}) > 20

    session.expire_all()
    for day, then in captured.items():
        assert capture(session, p, day) == then, day

    freeze_day = START + timedelta(days=FREEZE_DAY)
    review = reviews.get_review(session, actor=p.head, review_id=review_id)
    assert review.is_frozen and review.meeting_on == freeze_day
    frozen_totals = reviews.totals(session, actor=p.head, review=review, today=START)
    assert _numbers(frozen_totals) == captured[freeze_day]["review_totals"]
    units = list(captured[freeze_day]["review_units"])
    frozen_units = reviews.by_unit(
        session, actor=p.head, review=review, unit_ids=units, today=START
    )
    assert {k: _numbers(v) for k, v in frozen_units.items()} == captured[freeze_day]["review_units"]
    # ... and the figures of today differ from it: the freeze did keep the day's figures.
    assert captured[START + timedelta(days=DAYS - 1)]["review_totals"] != _numbers(frozen_totals)
