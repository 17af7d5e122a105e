"""Withdrawing a publication made by mistake: within 24 hours, while no unit has reported on
it. Nothing is deleted: the notice is kept as "withdrawn" with its assignments cancelled (a
history row each), the reminders not yet sent about them are cancelled, and a new draft with
the same tasks and units opens for the secretary to correct and publish again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker.accounts.models import Role, User
from tracker.assignments.history import _zone as users_zone
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    EvidenceFile,
    ExtensionRequest,
    ProgressReport,
)
from tracker.assignments.progress import apply_change
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, PermissionDenied, StaleUpdate
from tracker.notices import queries
from tracker.notices.drafts import claim_status, load_notice
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskUnit
from tracker.permissions import can_manage_notices
from tracker.reminders import outbox
from tracker.reminders.models import OutboxMessage, OutboxStatus
from tracker.reminders.texts import digest_subject, render_digest
from tracker.tables import saved_id
from tracker.units.models import Unit

WITHDRAW_WINDOW = timedelta(hours=24)
WITHDRAWN_REASON = "Thu hồi thông báo ban hành nhầm"
CANCELLED_MESSAGE = "Đã hủy: thông báo đã bị thu hồi / cancelled: the notice was withdrawn"
REPORTED = N_(
    "Đã có đơn vị báo cáo trên thông báo này ({units}) nên không thu hồi được nữa; "
    "hãy dùng điều chỉnh từng nhiệm vụ."
)
REPORTED_JUST_NOW = N_(
    "Một đơn vị vừa báo cáo trên thông báo này nên không thu hồi được nữa; "
    "hãy dùng điều chỉnh từng nhiệm vụ."
)
TOO_LATE = N_(
    "Thông báo đã ban hành lúc {when}, quá 24 giờ nên không thu hồi được nữa; "
    "hãy dùng điều chỉnh từng nhiệm vụ."
)


@dataclass(frozen=True)
class WithdrawCheck:
    """Whether the notice can be withdrawn now, and what withdrawing would cancel."""

    allowed: bool
    reason: str | None  # the refusal's message id when not allowed
    reason_args: dict[str, str]
    deadline: datetime | None
    assignments: int
    units: list[str]


def _assignments(session: Session, notice_id: int) -> list[Assignment]:
    """Every assignment of the notice, delegated parts included."""
    task_ids = select(Task.id).where(Task.conclusion_id == notice_id)
    return list(
        session.exec(
            select(Assignment)
            .where(col(Assignment.task_id).in_(task_ids))
            .order_by(col(Assignment.id))
        ).all()
    )


def _units_that_acted(session: Session, assignments: list[Assignment]) -> list[str]:
    """Names of units that reported, asked for more time, sent evidence or delegated."""
    ids = [assignment.id for assignment in assignments]
    acted = {a.unit_id for a in assignments if a.parent_id is not None}
    for model in (ProgressReport, ExtensionRequest, EvidenceFile):
        column = model.assignment_id
        touched = set(session.exec(select(column).where(col(column).in_(ids))).all())
        acted |= {a.unit_id for a in assignments if a.id in touched}
    if not acted:
        return []
    return sorted(session.exec(select(Unit.name).where(col(Unit.id).in_(acted))).all())


def withdraw_check(
    session: Session, *, actor: User, conclusion_id: int, now: datetime
) -> WithdrawCheck:
    """Can the secretary withdraw the notice now? Used by the button and by the service."""
    if not can_manage_notices(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi mới thu hồi được thông báo."))
    notice = load_notice(session, conclusion_id)
    assignments = _assignments(session, notice.id or 0)
    unit_names = sorted(
        session.exec(
            select(Unit.name).where(col(Unit.id).in_({a.unit_id for a in assignments}))
        ).all()
    )

    def refuse(reason: str, **args: str) -> WithdrawCheck:
        return WithdrawCheck(False, reason, args, None, len(assignments), unit_names)

    if notice.status != NoticeStatus.PUBLISHED or notice.published_at is None:
        return refuse(N_("Chỉ thu hồi được thông báo đang ban hành."))
    deadline = notice.published_at + WITHDRAW_WINDOW
    if now > deadline:
        # The users' clock (Asia/Ho_Chi_Minh), the one the notice page shows.
        published = notice.published_at.astimezone(users_zone()).strftime("%H:%M %d/%m/%Y")
        return refuse(TOO_LATE, when=published)
    acted = _units_that_acted(session, assignments)
    if acted:
        return refuse(REPORTED, units=", ".join(acted))
    return WithdrawCheck(True, None, {}, deadline, len(assignments), unit_names)


def withdraw_publication(
    session: Session,
    *,
    actor: User,
    conclusion_id: int,
    expected_version: int,
    now: datetime,
    base_url: str,
) -> Conclusion:
    """Withdraw the notice; returns the new draft holding its tasks.

    Race-safe: the notice is claimed by one conditional UPDATE (status, version), and each
    assignment is cancelled through `apply_change`, conditional on the version read before
    the check; a report that lands in between changes that version, so either the report or
    the withdrawal wins, never both."""
    if not can_manage_notices(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi mới thu hồi được thông báo."))
    _lock_assignments(session, conclusion_id)
    check = withdraw_check(session, actor=actor, conclusion_id=conclusion_id, now=now)
    if not check.allowed:
        raise InvalidInput(check.reason or "", **check.reason_args)
    notice = load_notice(session, conclusion_id)
    assignments = _assignments(session, notice.id or 0)
    _claim_withdrawal(session, notice, actor=actor, expected_version=expected_version, now=now)
    _cancel_assignments(session, assignments, actor=actor)
    cancelled = _cancel_reminders(
        session, {a.id for a in assignments if a.id is not None}, notice, base_url
    )
    draft = _draft_copy(session, notice, actor)
    audit.record(
        session,
        actor=actor,
        action="conclusion.withdrawn",
        entity_type="conclusion",
        entity_id=notice.id,
        changes={
            "status": [NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN],
            "assignments_cancelled": [len(assignments), 0],
            "reminders_cancelled": [None, cancelled],
            "draft_id": [None, draft.id],
        },
    )
    session.flush()
    return draft


def _lock_assignments(session: Session, conclusion_id: int) -> None:
    """Hold the notice's assignment rows until commit, so nothing lands after the check."""
    # PostgreSQL: the assignment rows are locked before the check, so a report or a request
    # for more time (its foreign key takes a key-share lock on the row) made at this moment
    # either lands before and is seen by the check, or waits for the withdrawal to finish.
    # SQLite has no row locks: touching the rows takes the database's write lock first, so
    # the check that follows reads what was committed before it and nothing lands after it.
    task_ids = select(Task.id).where(Task.conclusion_id == conclusion_id)
    session.exec(
        select(Assignment.id).where(col(Assignment.task_id).in_(task_ids)).with_for_update()
    ).all()
    session.exec(
        update(Assignment)
        .where(col(Assignment.task_id).in_(task_ids))
        .values(version=Assignment.version)
        .execution_options(synchronize_session=False)
    )


def _claim_withdrawal(
    session: Session, notice: Conclusion, *, actor: User, expected_version: int, now: datetime
) -> None:
    """Mark the notice withdrawn; refused if it changed meanwhile."""
    claim_status(
        session,
        notice,
        expected_version=expected_version,
        before=NoticeStatus.PUBLISHED,
        values={
            "status": NoticeStatus.WITHDRAWN,
            "withdrawn_by_id": actor.id,
            "withdrawn_at": now,
            "updated_at": utcnow(),
        },
        refusal=N_("Thông báo vừa được thu hồi hoặc sửa ở nơi khác. Tải lại trang."),
    )


def _cancel_assignments(session: Session, assignments: list[Assignment], *, actor: User) -> None:
    """Cancel every assignment not yet cancelled, each with its history row."""
    for assignment in assignments:
        if assignment.status == AssignmentStatus.CANCELLED:
            continue
        before = assignment.status
        try:
            apply_change(
                session,
                assignment,
                assignment.version,
                {"status": AssignmentStatus.CANCELLED, "cancelled_reason": WITHDRAWN_REASON},
            )
        except StaleUpdate:
            # A unit's report (or another change) arrived between the check and now.
            raise InvalidInput(REPORTED_JUST_NOW) from None
        audit.record(
            session,
            actor=actor,
            action="assignment.cancelled",
            entity_type="assignment",
            entity_id=assignment.id,
            changes={"status": [before, AssignmentStatus.CANCELLED]},
            note=WITHDRAWN_REASON,
        )


def _cancel_reminders(
    session: Session, withdrawn: set[int], notice: Conclusion, base_url: str
) -> int:
    """Messages still waiting in the outbox lose the withdrawn assignments: a message about
    nothing else is cancelled, a digest that also carries other work is written again
    without them. Messages already being sent cannot be called back. Returns how many."""
    since = notice.published_at or utcnow()
    waiting = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.created_at >= since
        )
    ).all()
    changed = 0
    for message in waiting:
        items = list(message.items or [])
        kept = [item for item in items if item.get("assignment_id") not in withdrawn]
        if len(kept) == len(items):
            continue
        values: dict[str, Any] = {"status": OutboxStatus.FAILED, "last_error": CANCELLED_MESSAGE}
        if kept:
            values = _rewritten(session, message, kept, base_url)
        result = session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == message.id,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        changed += result.rowcount  # type: ignore[attr-defined]
    return changed


def _rewritten(
    session: Session, message: OutboxMessage, kept: list[dict[str, Any]], base_url: str
) -> dict[str, Any]:
    person = session.get(User, message.user_id)
    name = person.full_name if person else ""
    return {
        "items": kept,
        "covers": outbox.covers_key((item["assignment_id"], item["rule"]) for item in kept),
        "subject": digest_subject(day=message.day, items=kept),
        "body": render_digest(
            name=name,
            day=message.day,
            items=kept,
            channel=message.channel,
            base_url=base_url,
            show_unit=person is not None and person.role != Role.UNIT,
        ),
    }


def _draft_copy(session: Session, notice: Conclusion, actor: User) -> Conclusion:
    """A new draft with the withdrawn notice's header, tasks and units (same source file)."""
    draft = Conclusion(
        number=notice.number,
        title=notice.title,
        issuer_unit_id=notice.issuer_unit_id,
        issued_on=notice.issued_on,
        period=notice.period,
        default_due=notice.default_due,
        source_filename=notice.source_filename,
        source_path=notice.source_path,
        source_sha256=notice.source_sha256,
        parse_warnings=list(notice.parse_warnings),
        created_by_id=actor.id,
        revises_id=notice.id,
    )
    session.add(draft)
    session.flush()
    tasks, links = queries.tasks_with_links(session, saved_id(notice))
    for task in tasks:
        copy = Task(
            conclusion_id=draft.id or 0,
            position=task.position,
            code=task.code,
            group_title=task.group_title,
            text=task.text,
            due=task.due,
            recurrence=task.recurrence,
        )
        session.add(copy)
        session.flush()
        session.add_all(
            TaskUnit(task_id=copy.id or 0, unit_id=link.unit_id, role=link.role)
            for link in links.get(task.id or 0, [])
        )
    session.flush()
    return draft
