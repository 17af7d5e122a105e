"""From a notice file to published assignments: import (parse), edit the draft, publish."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.creation import create_assignment
from tracker.assignments.models import Assignment
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.inputs import parse_id
from tracker.notices.models import Conclusion, NoticeStatus, Recurrence, Task, TaskRole, TaskUnit
from tracker.notices.review import still_in_doubt
from tracker.parsing import ParseError
from tracker.parsing.limits import DEFAULT_LIMITS, ParseLimits
from tracker.parsing.sandbox import ChildRun, Progress, run_parse
from tracker.permissions import can_manage_notices
from tracker.rollups.periods import Period
from tracker.stored_files import write_in_transaction
from tracker.tables import saved_id
from tracker.units.directory import UnitDirectory
from tracker.units.models import Unit, UnitGroup
from tracker.units.queries import directory_from_db, picker_options

log = logging.getLogger(__name__)

MAX_PASTED_CHARS = 500_000
PASTED_NAME = "noi-dung-dan.txt"


@dataclass(frozen=True)
class DraftHeader:
    number: str | None
    title: str
    issued_on: date | None
    period: str | None
    default_due: date | None


@dataclass(frozen=True)
class DraftRow:
    """One task row as the secretary left it; picks are 'u:<unit id>' or 'g:<group id>'."""

    task_id: int | None
    code: str
    text: str
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    due: date | None = None
    recurrence: str | None = None
    reviewed: bool = False  # the secretary ticked "đã kiểm tra"


def _require_secretary(actor: User) -> None:
    if not can_manage_notices(actor):
        raise PermissionDenied(N_("Chỉ chuyên viên theo dõi mới nhập và ban hành thông báo."))


def load_notice(session: Session, conclusion_id: int) -> Conclusion:
    """The notice, or a NotFound that says what to do."""
    notice = session.get(Conclusion, conclusion_id)
    if notice is None:
        raise NotFound(N_("Không tìm thấy thông báo này. Quay lại danh sách thông báo."))
    return notice


def check_import(actor: User, data: bytes | None, text: str | None) -> None:
    """Refuse at once what needs no reading: no permission, nothing given, text too long."""
    _require_secretary(actor)
    if data is None and not (text or "").strip():
        raise InvalidInput(N_("Chọn tệp thông báo (.docx, .pdf, .txt) hoặc dán nội dung vào ô."))
    if text is not None and len(text) > MAX_PASTED_CHARS:
        raise InvalidInput(N_("Nội dung dán vào quá dài; hãy tải tệp lên thay vì dán."))


def unreadable(error: ParseError) -> InvalidInput:
    """The refusal shown for a file the parser would not read, in either language."""
    return InvalidInput(
        N_("Không đọc được văn bản: {reason}"),
        reason=error.message_vi,
        reason_en=error.message_en,
    )


def parse_isolated(
    directory: UnitDirectory,
    *,
    filename: str,
    data: bytes | None,
    text: str | None,
    limits: ParseLimits,
    on_progress: Progress | None = None,
) -> ChildRun:
    """Parse an upload (or pasted text) in a capped child process; never raises ParseError."""
    if data is not None:
        return run_parse(data, filename, directory, limits, on_progress=on_progress)
    return run_parse((text or "").encode("utf-8"), PASTED_NAME, directory, limits, pasted=True)


def import_notice(
    session: Session,
    *,
    actor: User,
    filename: str,
    data: bytes | None,
    text: str | None,
    source_dir: Path,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Conclusion:
    """Parse an uploaded file or pasted text into a draft notice with its tasks (in one go)."""
    check_import(actor, data, text)
    run = parse_isolated(
        directory_from_db(session), filename=filename, data=data, text=text, limits=limits
    )
    if run.error is not None:
        raise unreadable(run.error)
    return create_draft(
        session,
        actor=actor,
        filename=filename if data is not None else PASTED_NAME,
        raw=data if data is not None else (text or "").encode("utf-8"),
        parsed=run.parsed(),
        source_dir=source_dir,
    )


def create_draft(
    session: Session,
    *,
    actor: User,
    filename: str,
    raw: bytes,
    parsed: dict[str, Any],
    source_dir: Path,
) -> Conclusion:
    """The draft notice and its tasks from a parse result; the source file kept beside it."""
    _require_secretary(actor)
    digest = hashlib.sha256(raw).hexdigest()
    suffix = (
        Path(filename).suffix.lower()
        if Path(filename).suffix.lower() in NOTICE_SUFFIXES
        else ".bin"
    )
    stored = source_dir / f"{digest}{suffix}"
    if not stored.exists():
        write_in_transaction(session, stored, raw)
    notice = Conclusion(
        number=parsed.get("number"),
        title=parsed.get("title") or filename,
        issued_on=_iso(parsed.get("issued_on")),
        period=parsed.get("period"),
        default_due=_iso(parsed.get("default_due")),
        source_filename=Path(filename).name[:255],
        source_path=stored.name,
        source_sha256=digest,
        parse_warnings=list(parsed.get("warnings") or []),
        created_by_id=actor.id,
    )
    issuer = parsed.get("issuer")
    units = {unit.code: saved_id(unit) for unit in session.exec(select(Unit)).all()}
    notice.issuer_unit_id = units.get(issuer) if issuer else None
    session.add(notice)
    session.flush()
    for position, item in enumerate(parsed.get("tasks") or []):
        _add_parsed_task(session, saved_id(notice), position, item, units)
    audit.record(
        session,
        actor=actor,
        action="conclusion.imported",
        entity_type="conclusion",
        entity_id=notice.id,
        changes={
            "source": [None, notice.source_filename],
            "tasks": [None, len(parsed.get("tasks") or [])],
        },
    )
    session.flush()
    return notice


def _add_parsed_task(
    session: Session, notice_id: int, position: int, item: dict[str, Any], units: dict[str, int]
) -> None:
    """One parsed task into the draft, unrecognised unit names kept as warnings to review."""
    warnings = list(item.get("warnings") or [])
    warnings += [
        f"Chưa nhận ra đơn vị: {name['name']} / Unit not recognised: {name['name']}"
        for name in item.get("unresolved") or []
        if isinstance(name, dict) and name.get("name")
    ]
    task = Task(
        conclusion_id=notice_id,
        position=position,
        code=str(item.get("code") or position + 1),
        group_title=item.get("group_title"),
        text=item.get("text") or "",
        due=_iso(item.get("due")),
        recurrence=item.get("recurrence"),
        needs_review=bool(item.get("needs_review")),
        warnings=list(dict.fromkeys(warnings)),
    )
    session.add(task)
    session.flush()
    for role in (TaskRole.LEAD, TaskRole.SUPPORT):
        for code in dict.fromkeys(item.get(role) or []):
            if code in units:
                session.add(TaskUnit(task_id=saved_id(task), unit_id=units[code], role=role))


def _iso(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


PickerOptions = tuple[list[UnitGroup], list[Unit], dict[int, list[int]]]


def expand_picks(options: PickerOptions, picks: list[str]) -> list[int]:
    """Unit ids for picker values: a group stands for its members; unknown values are refused."""
    groups, units, members = options
    unit_ids, group_ids = {unit.id for unit in units}, {group.id for group in groups}
    result: list[int] = []
    for pick in picks:
        kind, _, raw = pick.partition(":")
        known = unit_ids if kind == "u" else group_ids if kind == "g" else set()
        pick_id = parse_id(raw)
        if pick_id is None or pick_id not in known:
            raise InvalidInput(N_("Có đơn vị không còn trong danh mục; tải lại trang và chọn lại."))
        result += [pick_id] if kind == "u" else members.get(pick_id, [])
    return list(dict.fromkeys(result))


def replace_task_units(
    session: Session, task_id: int, leads: list[int], supports: list[int]
) -> None:
    """Make a task's lead and support units exactly these."""
    session.execute(delete(TaskUnit).where(col(TaskUnit.task_id) == task_id))
    session.add_all([TaskUnit(task_id=task_id, unit_id=unit, role=TaskRole.LEAD) for unit in leads])
    session.add_all(
        [TaskUnit(task_id=task_id, unit_id=unit, role=TaskRole.SUPPORT) for unit in supports]
    )


def _stored_units(session: Session, task_ids: list) -> dict[int, tuple[set[int], set[int]]]:
    """Each task's lead and support unit ids as stored."""
    units: dict[int, tuple[set[int], set[int]]] = {task_id: (set(), set()) for task_id in task_ids}
    for link in session.exec(select(TaskUnit).where(col(TaskUnit.task_id).in_(task_ids))).all():
        units[link.task_id][0 if link.role == TaskRole.LEAD else 1].add(link.unit_id)
    return units


def save_draft(
    session: Session,
    *,
    actor: User,
    conclusion_id: int,
    expected_version: int,
    header: DraftHeader,
    rows: list[DraftRow],
) -> Conclusion:
    """Store the secretary's corrections; rows left out are removed from the draft."""
    _require_secretary(actor)
    notice = load_notice(session, conclusion_id)
    if notice.status != NoticeStatus.DRAFT:
        raise InvalidInput(N_("Thông báo đã ban hành; sửa từng nhiệm vụ ở trang thông báo."))
    if notice.version != expected_version:
        raise StaleUpdate(
            N_(
                "Người khác vừa lưu bản nháp này. Tải lại trang để xem bản mới "
                "nhất rồi sửa tiếp (nội dung bạn nhập vẫn hiển thị bên dưới)."
            )
        )
    if not header.title.strip():
        raise InvalidInput(N_("Nhập trích yếu (tiêu đề) của thông báo."))
    resolved = _resolve_draft_rows(session, rows)
    existing = {
        task.id: task
        for task in session.exec(select(Task).where(Task.conclusion_id == notice.id)).all()
    }
    _store_draft_rows(session, notice, resolved, existing)
    before = _header_snapshot(notice, tasks=len(existing))
    notice.number, notice.title = (header.number or "").strip() or None, header.title.strip()
    notice.issued_on, notice.period = header.issued_on, _period_code(header.period)
    notice.default_due, notice.version = header.default_due, notice.version + 1
    notice.updated_at = utcnow()
    session.add(notice)
    audit.record(
        session,
        actor=actor,
        action="conclusion.draft_saved",
        entity_type="conclusion",
        entity_id=notice.id,
        changes=audit.diff(before, _header_snapshot(notice, tasks=len(resolved))),
    )
    session.flush()
    return notice


def _resolve_draft_rows(
    session: Session, rows: list[DraftRow]
) -> list[tuple[DraftRow, list[int], list[int]]]:
    """Each checked row with its lead and support unit ids (picked groups expanded)."""
    recurrences = {item.value for item in Recurrence}
    options = picker_options(session)
    resolved = []
    for row in rows:
        if not row.code.strip() or not row.text.strip():
            raise InvalidInput(N_("Mỗi nhiệm vụ cần có mã (ví dụ 1.1) và nội dung."))
        if row.recurrence and row.recurrence not in recurrences:
            raise InvalidInput(N_("Chu kỳ lặp lại không hợp lệ."))
        leads = expand_picks(options, row.lead)
        support = [unit for unit in expand_picks(options, row.support) if unit not in leads]
        resolved.append((row, leads, support))
    return resolved


def _store_draft_rows(
    session: Session,
    notice: Conclusion,
    resolved: list[tuple[DraftRow, list[int], list[int]]],
    existing: dict[int | None, Task],
) -> None:
    """Remove the tasks left out, then write each row in order, keeping doubts only if unchanged."""
    kept = {row.task_id for row, _, _ in resolved if row.task_id in existing}
    removed = [task_id for task_id in existing if task_id not in kept]
    if removed:
        # Draft rows have no assignments yet; their unit links go first (foreign keys).
        session.execute(delete(TaskUnit).where(col(TaskUnit.task_id).in_(removed)))
        session.execute(delete(Task).where(col(Task.id).in_(removed)))
    stored_units = _stored_units(session, list(kept))
    for position, (row, leads, support) in enumerate(resolved):
        task = existing.get(row.task_id) if row.task_id in kept else None
        if task is None:
            task = Task(conclusion_id=saved_id(notice), code=row.code, text=row.text)
        text = " ".join(row.text.split())
        changed = task.id is None or (
            (task.due, " ".join(task.text.split())) != (row.due, text)
            or stored_units.get(task.id, (set(), set())) != (set(leads), set(support))
        )
        doubt = still_in_doubt(task, changed=changed, reviewed=row.reviewed)
        task.warnings = list(task.warnings) if doubt else []
        task.position, task.code, task.text = position, row.code.strip(), text
        task.due, task.recurrence = row.due, row.recurrence or None
        task.needs_review, task.updated_at = doubt or not leads or row.due is None, utcnow()
        session.add(task)
        session.flush()
        replace_task_units(session, saved_id(task), leads, support)


def _header_snapshot(notice: Conclusion, *, tasks: int) -> dict[str, Any]:
    """The draft's header fields and task count, as the history row compares them."""
    return {
        "number": notice.number,
        "title": notice.title,
        "issued_on": notice.issued_on,
        "period": notice.period,
        "default_due": notice.default_due,
        "tasks": tasks,
    }


def claim_status(
    session: Session,
    notice: Conclusion,
    *,
    expected_version: int,
    before: NoticeStatus,
    values: dict[str, Any],
    refusal: str,
) -> None:
    """Move the notice from `before` in one conditional UPDATE (status and version): of several
    people (or a double-click) acting at once, exactly one gets the row; the others are told
    `refusal`. The notice object is refreshed from the row."""
    claimed = session.exec(
        update(Conclusion)
        .where(
            col(Conclusion.id) == notice.id,
            col(Conclusion.status) == before,
            col(Conclusion.version) == expected_version,
        )
        .values(**values, version=Conclusion.version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise StaleUpdate(refusal)
    session.refresh(notice)


def _claim_for_publishing(
    session: Session, notice: Conclusion, *, actor: User, expected_version: int
) -> None:
    claim_status(
        session,
        notice,
        expected_version=expected_version,
        before=NoticeStatus.DRAFT,
        values={
            "status": NoticeStatus.PUBLISHED,
            "published_by_id": actor.id,
            "published_at": utcnow(),
        },
        refusal=N_("Thông báo này vừa được ban hành hoặc sửa ở nơi khác. Tải lại trang."),
    )


# The notice files the import reads (scans and old Word files need Tesseract / LibreOffice).
NOTICE_SUFFIXES = frozenset(
    {".docx", ".doc", ".odt", ".pdf", ".txt", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
)


def _period_code(written: str | None) -> str | None:
    """The period as its code ("Quý II/2021" -> "2021-Q2"), refused with advice when it is none:
    never cut to fit the column."""
    written = (written or "").strip()
    return Period.parse(written).code if written else None


def publish(
    session: Session, *, actor: User, conclusion_id: int, expected_version: int
) -> list[Assignment]:
    """Create one assignment per lead unit of every task; who and when are recorded."""
    _require_secretary(actor)
    notice = load_notice(session, conclusion_id)
    if notice.status != NoticeStatus.DRAFT:
        raise InvalidInput(N_("Thông báo này đã được ban hành."))
    if notice.version != expected_version:
        raise StaleUpdate(N_("Người khác vừa lưu bản nháp này. Tải lại trang trước khi ban hành."))
    tasks = list(
        session.exec(
            select(Task).where(Task.conclusion_id == notice.id).order_by(col(Task.position))
        ).all()
    )
    if not tasks:
        raise InvalidInput(N_("Thông báo chưa có nhiệm vụ nào; thêm nhiệm vụ trước khi ban hành."))
    leads = _lead_units(session, tasks)
    _check_publishable(tasks, leads)
    _claim_for_publishing(session, notice, actor=actor, expected_version=expected_version)
    created = []
    for task in tasks:
        created += [
            create_assignment(
                session, actor=actor, task_id=saved_id(task), unit_id=unit_id, due=task.due
            )
            for unit_id in leads[saved_id(task)]
        ]
    audit.record(
        session,
        actor=actor,
        action="conclusion.published",
        entity_type="conclusion",
        entity_id=notice.id,
        changes={
            "status": [NoticeStatus.DRAFT, NoticeStatus.PUBLISHED],
            "assignments": [0, len(created)],
        },
    )
    session.flush()
    return created


def _lead_units(session: Session, tasks: list[Task]) -> dict[int, list[int]]:
    """task id -> the ids of its lead units."""
    leads: dict[int, list[int]] = {}
    for link in session.exec(
        select(TaskUnit).where(
            col(TaskUnit.task_id).in_([task.id for task in tasks]), TaskUnit.role == TaskRole.LEAD
        )
    ).all():
        leads.setdefault(link.task_id, []).append(link.unit_id)
    return leads


def _check_publishable(tasks: list[Task], leads: dict[int, list[int]]) -> None:
    """Refuse to publish duplicated task codes, tasks without a lead unit or without a due date."""
    codes = [task.code for task in tasks]
    duplicated = sorted({code for code in codes if codes.count(code) > 1})
    if duplicated:
        raise InvalidInput(
            N_("Mã nhiệm vụ bị trùng: {codes}. Sửa lại mã rồi ban hành."),
            codes=", ".join(duplicated),
        )
    missing_lead = [task.code for task in tasks if not leads.get(saved_id(task))]
    if missing_lead:
        raise InvalidInput(
            N_("Nhiệm vụ {codes} chưa có đơn vị chủ trì. Chọn đơn vị rồi ban hành."),
            codes=", ".join(missing_lead),
        )
    missing_due = [task.code for task in tasks if task.due is None]
    if missing_due:
        raise InvalidInput(
            N_("Nhiệm vụ {codes} chưa có hạn hoàn thành. Nhập hạn rồi ban hành."),
            codes=", ".join(missing_due),
        )
