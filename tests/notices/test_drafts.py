"""Import, draft editing and publishing: what the secretary does, as service calls."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from tests.helpers import make_unit, make_user
from tests.notices.conftest import NOTICE
from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput, PermissionDenied, StaleUpdate
from tracker.notices.drafts import DraftHeader, DraftRow, import_notice, publish, save_draft
from tracker.notices.models import Conclusion, Task, TaskUnit
from tracker.parsing import parse_file
from tracker.units.models import Unit, UnitGroup


def imported(session: Session, secretary: User, tmp_path: Path) -> Conclusion:
    return import_notice(
        session,
        actor=secretary,
        filename=NOTICE.name,
        data=NOTICE.read_bytes(),
        text=None,
        source_dir=tmp_path,
    )


def unit_id(session: Session, code: str) -> int:
    return session.exec(select(Unit.id).where(Unit.code == code)).one()


def test_import_makes_a_draft_with_tasks_units_and_warnings(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    assert notice.status == "draft"
    assert (notice.number, notice.period, notice.default_due) == (
        "27-TB/BTGDVTU",
        "2025-Q3",
        date(2025, 9, 30),
    )
    tasks = session.exec(
        select(Task).where(Task.conclusion_id == notice.id).order_by(Task.position)
    ).all()
    assert [task.code for task in tasks][:3] == ["1.a", "1.b", "1.c"]
    assert tasks[0].due == date(2025, 8, 15)
    unknown = next(task for task in tasks if task.code == "3.b")
    assert unknown.needs_review
    assert any("Sở Khoa học và Công nghệ" in warning for warning in unknown.warnings)
    leads = session.exec(select(TaskUnit).where(TaskUnit.task_id == tasks[0].id)).all()
    assert [link.role for link in leads] == ["lead"]
    stored = tmp_path / notice.source_path
    assert stored.read_bytes() == NOTICE.read_bytes()


def test_pasted_text_is_imported_too(session: Session, secretary: User, tmp_path: Path) -> None:
    notice = import_notice(
        session,
        actor=secretary,
        filename="",
        data=None,
        text=NOTICE.read_text(encoding="utf-8"),
        source_dir=tmp_path,
    )
    count = session.exec(
        select(func.count()).select_from(Task).where(Task.conclusion_id == notice.id)
    ).one()
    assert count == len(parse_file(NOTICE).tasks) == 11


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("bao-cao.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "Không đọc được"),
        ("thong-bao.docx", b"PK\x03\x04 not really a zip", "Không đọc được"),
        ("rong.txt", b"", "Không đọc được"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    session: Session, secretary: User, tmp_path: Path, filename: str, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        import_notice(
            session, actor=secretary, filename=filename, data=data, text=None, source_dir=tmp_path
        )
    session.rollback()
    assert session.exec(select(func.count()).select_from(Conclusion)).one() == 0


def test_only_secretaries_import(session: Session, secretary: User, tmp_path: Path) -> None:
    head = make_user(session, "head")
    with pytest.raises(PermissionDenied):
        imported(session, head, tmp_path)


def test_save_draft_edits_rows_and_expands_groups(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    group = session.exec(select(UnitGroup)).first()
    first = session.exec(
        select(Task).where(Task.conclusion_id == notice.id).order_by(Task.position)
    ).first()
    header = DraftHeader(
        number="27-TB/BTGDVTU",
        title="Thông báo đã sửa",
        issued_on=None,
        period="2025-Q3",
        default_due=date(2025, 9, 30),
    )
    rows = [
        DraftRow(
            task_id=first.id,
            code="1.a",
            text="Nội dung đã sửa",
            lead=[f"g:{group.id}"],
            support=[],
            due=date(2025, 8, 20),
        ),
        DraftRow(
            task_id=None,
            code="5",
            text="Nhiệm vụ thêm mới",
            lead=[f"u:{unit_id(session, 'MTTQ')}"],
            due=date(2025, 9, 30),
            recurrence="monthly",
        ),
    ]
    saved = save_draft(
        session,
        actor=secretary,
        conclusion_id=notice.id,
        expected_version=notice.version,
        header=header,
        rows=rows,
    )
    tasks = session.exec(
        select(Task).where(Task.conclusion_id == notice.id).order_by(Task.position)
    ).all()
    assert [(task.code, task.text) for task in tasks] == [
        ("1.a", "Nội dung đã sửa"),
        ("5", "Nhiệm vụ thêm mới"),
    ]
    members = session.exec(select(TaskUnit).where(TaskUnit.task_id == tasks[0].id)).all()
    assert len(members) > 1  # the group became its member units
    assert saved.title == "Thông báo đã sửa" and saved.version == notice.version
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "conclusion.draft_saved")
    ).one()
    assert event.changes["tasks"] == [11, 2]
    with pytest.raises(StaleUpdate):
        save_draft(
            session,
            actor=secretary,
            conclusion_id=notice.id,
            expected_version=1,
            header=header,
            rows=rows,
        )


def test_unknown_unit_pick_is_refused(session: Session, secretary: User, tmp_path: Path) -> None:
    notice = imported(session, secretary, tmp_path)
    with pytest.raises(InvalidInput, match="không còn trong danh mục"):
        save_draft(
            session,
            actor=secretary,
            conclusion_id=notice.id,
            expected_version=notice.version,
            header=DraftHeader(None, "T", None, None, None),
            rows=[DraftRow(task_id=None, code="1", text="x", lead=["u:999999"])],
        )


def test_publish_needs_leads_and_dues_then_creates_assignments(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    with pytest.raises(InvalidInput, match=r"3\.b chưa có đơn vị chủ trì"):
        publish(session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version)
    task = session.exec(select(Task).where(Task.code == "3.b")).one()
    session.add(TaskUnit(task_id=task.id, unit_id=unit_id(session, "SYT"), role="lead"))
    created = publish(
        session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version
    )
    session.commit()
    session.refresh(notice)
    assert notice.status == "published" and notice.published_by_id == secretary.id
    assert notice.published_at is not None
    leads = session.exec(
        select(func.count()).select_from(TaskUnit).where(TaskUnit.role == "lead")
    ).one()
    assert len(created) == leads
    assert session.exec(select(func.count()).select_from(Assignment)).one() == leads
    support_units = session.exec(select(TaskUnit.unit_id).where(TaskUnit.role == "support")).all()
    assert support_units  # kept on the task, without assignments of their own
    with pytest.raises(InvalidInput, match="đã được ban hành"):
        publish(session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version)


def test_publish_refuses_duplicate_codes(session: Session, secretary: User) -> None:
    unit = make_unit(session, "X1")
    notice = Conclusion(title="T", created_by_id=secretary.id)
    session.add(notice)
    session.flush()
    for code in ("1", "1"):
        task = Task(conclusion_id=notice.id, code=code, text="t", due=date(2025, 1, 1))
        session.add(task)
        session.flush()
        session.add(TaskUnit(task_id=task.id, unit_id=unit.id, role="lead"))
    with pytest.raises(InvalidInput, match="trùng: 1"):
        publish(session, actor=secretary, conclusion_id=notice.id, expected_version=1)
