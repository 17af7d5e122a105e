"""Withdrawing a publication within 24 hours while no unit has reported: the notice is kept
as withdrawn, its assignments cancelled with history, units no longer see them, reminders not
yet sent are cancelled, a new draft carries the tasks on; refused after 24 hours or once a
unit has reported; a report at the same moment and a withdrawal: exactly one wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tests.helpers import at_once, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments import extensions
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ProgressReport,
)
from tracker.assignments.progress import report_progress
from tracker.assignments.queries import list_unit_assignments
from tracker.audit.models import AuditEvent
from tracker.db import utcnow
from tracker.errors import InvalidInput, PermissionDenied
from tracker.notices import drafts, withdraw
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskUnit
from tracker.reminders.models import OutboxMessage, OutboxStatus
from tracker.units.models import Unit

TODAY = date(2026, 12, 5)
BASE_URL = "http://127.0.0.1:5000"


@dataclass
class Published:
    notice: Conclusion
    secretary: User
    unit_user: User
    other_user: User
    unit: Unit
    other: Unit


@pytest.fixture
def published(session: Session) -> Published:
    secretary = make_user(session, "secretary", username="thuky")
    unit = make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh")
    other = make_unit(session, "HND", "Hội Nông dân tỉnh")
    helper = make_unit(session, "TD", "Tỉnh Đoàn")
    notice = make_notice(session, published=False, by=secretary)
    for position, (code, lead) in enumerate([("1", unit), ("2", other), ("3", unit)]):
        task = Task(
            conclusion_id=notice.id, position=position, code=code, text=f"Việc {code}", due=TODAY
        )
        session.add(task)
        session.flush()
        session.add(TaskUnit(task_id=task.id, unit_id=lead.id, role="lead"))
        session.add(TaskUnit(task_id=task.id, unit_id=helper.id, role="support"))
    session.flush()
    drafts.publish(
        session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version
    )
    world = Published(
        notice,
        secretary,
        make_user(session, "unit", unit=unit, username="mattran"),
        make_user(session, "unit", unit=other, username="nongdan"),
        unit,
        other,
    )
    session.commit()
    return world


def _withdraw(session: Session, world: Published, *, now: datetime | None = None) -> Conclusion:
    session.refresh(world.notice)
    return withdraw.withdraw_publication(
        session,
        actor=world.secretary,
        conclusion_id=world.notice.id,
        expected_version=world.notice.version,
        now=now or utcnow(),
        base_url=BASE_URL,
    )


def _assignments(session: Session, notice: Conclusion) -> list[Assignment]:
    session.expire_all()
    tasks = select(Task.id).where(Task.conclusion_id == notice.id)
    return list(session.exec(select(Assignment).where(Assignment.task_id.in_(tasks))).all())


def _report(session: Session, actor: User, assignment: Assignment, tmp: Path) -> None:
    report_progress(
        session,
        actor=actor,
        assignment_id=assignment.id,
        expected_version=assignment.version,
        status="in_progress",
        percent=10,
        note="Đã họp triển khai",
        uploads=[],
        store=EvidenceStore(tmp / "uploads"),
        today=TODAY,
    )


def test_withdrawing_keeps_history_cancels_the_work_and_opens_a_new_draft(
    session: Session, published: Published
) -> None:
    draft = _withdraw(session, published)
    session.commit()
    session.refresh(published.notice)
    assert published.notice.status == NoticeStatus.WITHDRAWN
    assert published.notice.withdrawn_by_id == published.secretary.id
    assignments = _assignments(session, published.notice)
    assert len(assignments) == 3  # nothing deleted
    assert all(a.status == AssignmentStatus.CANCELLED for a in assignments)
    assert all(a.cancelled_reason == withdraw.WITHDRAWN_REASON for a in assignments)
    for assignment in assignments:
        history = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "assignment",
                AuditEvent.entity_id == assignment.id,
                AuditEvent.action == "assignment.cancelled",
            )
        ).all()
        assert len(history) == 1
    # The units no longer see the work.
    for user in (published.unit_user, published.other_user):
        assert list_unit_assignments(session, actor=user, reference=TODAY) == []
    # The new draft holds the same tasks and units, ready to be corrected and published.
    assert draft.status == NoticeStatus.DRAFT and draft.revises_id == published.notice.id
    copied = session.exec(
        select(Task).where(Task.conclusion_id == draft.id).order_by(Task.position)
    ).all()
    assert [task.code for task in copied] == ["1", "2", "3"]
    leads = session.exec(
        select(TaskUnit.unit_id).where(TaskUnit.task_id == copied[0].id, TaskUnit.role == "lead")
    ).all()
    assert leads == [published.unit.id]
    created = drafts.publish(
        session, actor=published.secretary, conclusion_id=draft.id, expected_version=draft.version
    )
    session.commit()
    assert len(created) == 3
    assert len(list_unit_assignments(session, actor=published.unit_user, reference=TODAY)) == 2


def test_refused_after_24_hours_with_advice(session: Session, published: Published) -> None:
    later = published.notice.published_at + timedelta(hours=24, minutes=1)
    with pytest.raises(InvalidInput) as refused:
        _withdraw(session, published, now=later)
    assert "quá 24 giờ" in str(refused.value)
    assert "điều chỉnh từng nhiệm vụ" in str(refused.value)
    session.rollback()
    session.refresh(published.notice)
    assert published.notice.status == NoticeStatus.PUBLISHED
    assert all(a.status == "not_started" for a in _assignments(session, published.notice))


@pytest.mark.parametrize("how", ["report", "extension"])
def test_refused_once_a_unit_has_reported_or_asked_for_time(
    session: Session, published: Published, tmp_path: Path, how: str
) -> None:
    mine = next(
        a for a in _assignments(session, published.notice) if a.unit_id == published.unit.id
    )
    if how == "report":
        _report(session, published.unit_user, mine, tmp_path)
    else:
        extensions.request_extension(
            session,
            actor=published.unit_user,
            assignment_id=mine.id,
            requested_due=TODAY + timedelta(days=30),
            reason="Chờ số liệu",
            today=TODAY,
        )
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        _withdraw(session, published)
    message = str(refused.value)
    assert "Đã có đơn vị báo cáo" in message and "Ủy ban MTTQ tỉnh" in message
    assert "điều chỉnh từng nhiệm vụ" in message


def test_only_the_secretary_withdraws(session: Session, published: Published) -> None:
    head = make_user(session, "head")
    with pytest.raises(PermissionDenied):
        withdraw.withdraw_publication(
            session,
            actor=head,
            conclusion_id=published.notice.id,
            expected_version=published.notice.version,
            now=utcnow(),
            base_url=BASE_URL,
        )


def _message(session: Session, user: User, items: list[dict], status: str) -> OutboxMessage:
    message = OutboxMessage(
        user_id=user.id,
        channel="email",
        day=TODAY,
        covers=f"{user.id}-{status}-{len(items)}",
        address=f"{user.username}@example.org",
        subject="Đôn Đốc",
        body="nội dung cũ",
        items=items,
        status=status,
    )
    session.add(message)
    session.flush()
    return message


def _item(assignment_id: int, code: str) -> dict:
    return {
        "assignment_id": assignment_id,
        "rule": "new",
        "due": TODAY.isoformat(),
        "notice": "TB",
        "code": code,
        "task": f"Việc {code}",
        "unit": "",
        "days": None,
        "actionable": True,
    }


def test_reminders_not_yet_sent_are_cancelled_or_rewritten(
    session: Session, published: Published
) -> None:
    ours = _assignments(session, published.notice)
    elsewhere = make_notice(session, by=published.secretary)
    task = Task(conclusion_id=elsewhere.id, code="9", text="Việc khác", due=TODAY)
    session.add(task)
    session.flush()
    kept = Assignment(task_id=task.id, unit_id=published.unit.id, due=TODAY)
    session.add(kept)
    session.flush()
    only_ours = _message(session, published.unit_user, [_item(ours[0].id, "1")], "pending")
    mixed = _message(
        session, published.unit_user, [_item(ours[0].id, "1"), _item(kept.id, "9")], "pending"
    )
    sent = _message(session, published.unit_user, [_item(ours[0].id, "1")], "sent")
    session.commit()
    _withdraw(session, published)
    session.commit()
    for message in (only_ours, mixed, sent):
        session.refresh(message)
    assert only_ours.status == OutboxStatus.FAILED
    assert "thu hồi" in (only_ours.last_error or "")
    assert mixed.status == OutboxStatus.PENDING
    assert [item["assignment_id"] for item in mixed.items] == [kept.id]
    assert "thông tin 1 nhiệm vụ" in mixed.body  # written again for the one left
    assert sent.status == OutboxStatus.SENT  # already gone: nothing to call back


def test_a_report_and_a_withdrawal_at_the_same_moment_one_wins(
    engine: Engine, session: Session, published: Published, tmp_path: Path
) -> None:
    mine = next(
        a for a in _assignments(session, published.notice) if a.unit_id == published.unit.id
    )
    notice_id, version = published.notice.id, published.notice.version
    session.commit()

    def work(s: Session, actor: User, index: int) -> None:
        if index == 0:
            withdraw.withdraw_publication(
                s,
                actor=actor,
                conclusion_id=notice_id,
                expected_version=version,
                now=utcnow(),
                base_url=BASE_URL,
            )
        else:
            _report(s, actor, s.get(Assignment, mine.id), tmp_path)

    outcomes = at_once(engine, [published.secretary.id, published.unit_user.id], work)
    assert sorted(outcomes) in (["InvalidInput", "ok"], ["StaleUpdate", "ok"], ["NotFound", "ok"])
    session.expire_all()
    notice = session.get(Conclusion, notice_id)
    reports = session.exec(select(func.count()).select_from(ProgressReport)).one()
    if outcomes[0] == "ok":  # withdrawn: no report slipped in, every assignment cancelled
        assert notice.status == NoticeStatus.WITHDRAWN and reports == 0
        assert all(a.status == "cancelled" for a in _assignments(session, notice))
    else:  # the report won: the notice stands, untouched
        assert notice.status == NoticeStatus.PUBLISHED and reports == 1
        drafts_made = session.exec(
            select(func.count()).select_from(Conclusion).where(Conclusion.revises_id.is_not(None))
        ).one()
        assert drafts_made == 0


def test_an_extension_request_and_a_withdrawal_at_the_same_moment_one_wins(
    engine: Engine, session: Session, published: Published
) -> None:
    mine = next(
        a for a in _assignments(session, published.notice) if a.unit_id == published.unit.id
    )
    notice_id, version, mine_id = published.notice.id, published.notice.version, mine.id
    session.commit()

    def work(s: Session, actor: User, index: int) -> None:
        if index == 0:
            withdraw.withdraw_publication(
                s,
                actor=actor,
                conclusion_id=notice_id,
                expected_version=version,
                now=utcnow(),
                base_url=BASE_URL,
            )
        else:
            extensions.request_extension(
                s,
                actor=actor,
                assignment_id=mine_id,
                requested_due=TODAY + timedelta(days=30),
                reason="Chờ số liệu của các xã",
                today=TODAY,
            )

    outcomes = at_once(engine, [published.secretary.id, published.unit_user.id], work)
    assert sorted(outcomes) in (["InvalidInput", "ok"], ["StaleUpdate", "ok"])
    session.expire_all()
    notice = session.get(Conclusion, notice_id)
    requests = session.exec(select(func.count()).select_from(ExtensionRequest)).one()
    if outcomes[0] == "ok":  # withdrawn: no request stands beside the cancelled work
        assert notice.status == NoticeStatus.WITHDRAWN and requests == 0, outcomes
    else:  # the request won: the notice stands with it
        assert notice.status == NoticeStatus.PUBLISHED and requests == 1
