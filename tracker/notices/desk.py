"""The secretary's desk: why a draft task needs a look, what publishing would do, moving past
due dates, deleting a junk draft, and who may open the stored source document."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.notices.drafts import load_notice
from tracker.notices.models import Conclusion, NoticeImport, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.notices.review import review_reasons
from tracker.permissions import (
    can_manage_notices,
    can_view_all_assignments,
    can_view_draft_notices,
    can_work_for_a_unit,
)
from tracker.tables import saved_id
from tracker.units.models import Unit
from tracker.units.queries import unit_scope

log = logging.getLogger(__name__)
SOON_DAYS = 7


def _draft_tasks(session: Session, notice_id: int) -> tuple[list[Task], dict[int, list[int]]]:
    tasks = list(
        session.exec(
            select(Task)
            .where(Task.conclusion_id == notice_id)
            .order_by(col(Task.position), col(Task.id))
        ).all()
    )
    leads: dict[int, list[int]] = {}
    for link in session.exec(
        select(TaskUnit).where(
            col(TaskUnit.task_id).in_([task.id for task in tasks]),
            col(TaskUnit.role) == TaskRole.LEAD,
        )
    ).all():
        leads.setdefault(link.task_id, []).append(link.unit_id)
    return tasks, leads


@dataclass(frozen=True)
class UnitLoad:
    name: str
    tasks: int


@dataclass(frozen=True)
class PublicationSummary:
    """What publishing the draft now would do, for the confirmation screen."""

    notice: Conclusion
    tasks: int
    flagged: list[Task]
    overdue: list[Task]
    due_soon: list[Task]
    units: list[UnitLoad]
    blocking: list[str]

    @property
    def assignments(self) -> int:
        return sum(load.tasks for load in self.units)


def publication_summary(
    session: Session, *, actor: User, conclusion_id: int, today: date
) -> PublicationSummary:
    """Counts for "Ban hành?": tasks, still flagged, overdue or due within 7 days at once, and
    which units get how many tasks."""
    _require_secretary(actor)
    notice = _draft(session, conclusion_id)
    tasks, leads = _draft_tasks(session, saved_id(notice))
    flagged = [
        task for task in tasks if review_reasons(task, has_lead=bool(leads.get(saved_id(task))))
    ]
    overdue = [task for task in tasks if task.due is not None and task.due < today]
    soon_end = today + timedelta(days=SOON_DAYS)
    due_soon = [task for task in tasks if task.due is not None and today <= task.due <= soon_end]
    per_unit: dict[int, int] = {}
    for task in tasks:
        for unit_id in leads.get(saved_id(task), []):
            per_unit[unit_id] = per_unit.get(unit_id, 0) + 1
    names = dict(
        session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(list(per_unit)))).all()
    )
    units = sorted(
        (UnitLoad(names.get(unit_id, "?"), count) for unit_id, count in per_unit.items()),
        key=lambda load: (-load.tasks, load.name),
    )
    blocking = [task.code for task in tasks if not leads.get(saved_id(task)) or task.due is None]
    return PublicationSummary(notice, len(tasks), flagged, overdue, due_soon, units, blocking)


def move_past_due_dates(
    session: Session,
    *,
    actor: User,
    conclusion_id: int,
    expected_version: int,
    new_due: date,
    today: date,
) -> list[str]:
    """Give every draft task whose due date lies before today the chosen date; returns the
    moved task codes. One history row lists each move."""
    _require_secretary(actor)
    notice = _draft(session, conclusion_id)
    if notice.version != expected_version:
        raise StaleUpdate(N_("Người khác vừa lưu bản nháp này. Tải lại trang rồi làm lại."))
    if new_due < today:
        raise InvalidInput(
            N_("Ngày mới {day} đã qua; chọn một ngày từ hôm nay trở đi."),
            day=new_due.strftime("%d/%m/%Y"),
        )
    tasks, _leads = _draft_tasks(session, saved_id(notice))
    moved = [task for task in tasks if task.due is not None and task.due < today]
    if not moved:
        return []
    changes = {f"due[{task.code}]": [task.due, new_due] for task in moved}
    for task in moved:
        task.due, task.updated_at = new_due, utcnow()
        session.add(task)
    notice.version, notice.updated_at = notice.version + 1, utcnow()
    session.add(notice)
    audit.record(
        session,
        actor=actor,
        action="conclusion.due_dates_moved",
        entity_type="conclusion",
        entity_id=notice.id,
        changes=changes,
    )
    session.flush()
    return [task.code for task in moved]


def delete_draft(session: Session, *, actor: User, conclusion_id: int, source_dir: Path) -> str:
    """Remove a draft (a junk import), its tasks and its stored file when no other notice
    shares it; returns what the draft was called. Published notices are never deleted."""
    _require_secretary(actor)
    notice = _draft(session, conclusion_id)
    task_ids = list(session.exec(select(Task.id).where(Task.conclusion_id == notice.id)).all())
    if task_ids:
        session.execute(delete(TaskUnit).where(col(TaskUnit.task_id).in_(task_ids)))
        session.execute(delete(Task).where(col(Task.id).in_(task_ids)))
    label = notice.number or notice.source_filename or notice.title[:80]
    audit.record(
        session,
        actor=actor,
        action="conclusion.draft_deleted",
        entity_type="conclusion",
        entity_id=notice.id,
        changes={
            "title": [notice.title, None],
            "source": [notice.source_filename, None],
            "tasks": [len(task_ids), 0],
        },
    )
    stored = notice.source_path
    # The import job that made the draft stays (who uploaded what, and when); it just no
    # longer points at a draft that is gone.
    session.execute(
        update(NoticeImport)
        .where(col(NoticeImport.conclusion_id) == notice.id)
        .values(conclusion_id=None)
    )
    session.delete(notice)
    session.flush()
    shared = (
        stored
        and session.exec(
            select(func.count()).select_from(Conclusion).where(Conclusion.source_path == stored)
        ).one()
    )
    if stored and not shared:
        path = source_dir / Path(stored).name
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the record is gone either way; a stray file is only disk space
            log.warning("could not remove %s", path)
    return label


@dataclass(frozen=True)
class SourceDocument:
    path: Path
    filename: str


def source_document(
    session: Session, *, actor: User, conclusion_id: int, source_dir: Path
) -> SourceDocument:
    """The stored original of a notice: of a draft, for the secretary only (a draft is work
    in progress: others are told it does not exist); of a published notice, for those who
    follow all work and for a unit it gives work (or a unit below it) as lead or support."""
    notice = load_notice(session, conclusion_id)
    if notice.status == NoticeStatus.DRAFT:
        if not can_view_draft_notices(actor):
            raise NotFound(N_("Không tìm thấy thông báo này. Quay lại danh sách thông báo."))
    elif not can_view_all_assignments(actor) and not (
        can_work_for_a_unit(actor) and _concerns_unit(session, notice, actor)
    ):
        raise PermissionDenied(N_("Bạn không có quyền xem văn bản gốc của thông báo này."))
    path = source_dir / Path(notice.source_path or "").name if notice.source_path else None
    if path is None or not path.is_file():
        raise NotFound(
            N_("Không còn tệp gốc của thông báo này. Hỏi chuyên viên theo dõi để có bản gốc.")
        )
    return SourceDocument(path, notice.source_filename or path.name)


def _concerns_unit(session: Session, notice: Conclusion, actor: User) -> bool:
    if actor.unit_id is None:
        return False
    scope = unit_scope(session, actor.unit_id)
    task_ids = select(Task.id).where(Task.conclusion_id == notice.id)
    assigned = session.exec(
        select(func.count())
        .select_from(Assignment)
        .where(col(Assignment.task_id).in_(task_ids), col(Assignment.unit_id).in_(scope))
    ).one()
    supported = session.exec(
        select(func.count())
        .select_from(TaskUnit)
        .where(col(TaskUnit.task_id).in_(task_ids), col(TaskUnit.unit_id).in_(scope))
    ).one()
    return bool(assigned or supported)


def _require_secretary(actor: User) -> None:
    if not can_manage_notices(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi mới nhập và ban hành thông báo."))


def _draft(session: Session, conclusion_id: int) -> Conclusion:
    notice = load_notice(session, conclusion_id)
    if notice.status != NoticeStatus.DRAFT:
        raise InvalidInput(N_("Thông báo này đã được ban hành; không còn là bản nháp."))
    return notice
