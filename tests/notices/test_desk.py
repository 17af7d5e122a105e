"""The secretary's desk as service calls: review flags that clear themselves, the publication
summary, moving past due dates, deleting a junk draft, who may open the source document."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from tests.helpers import make_user
from tests.notices.conftest import NOTICE
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.notices import desk
from tracker.notices.drafts import DraftHeader, DraftRow, import_notice, publish, save_draft
from tracker.notices.models import Conclusion, Task, TaskUnit
from tracker.notices.picker import fold
from tracker.notices.review import NO_DUE, NO_LEAD, UNSURE, review_reasons
from tracker.units.models import Unit

TODAY = date(2025, 8, 25)


def imported(session: Session, secretary: User, source_dir: Path) -> Conclusion:
    notice = import_notice(
        session,
        actor=secretary,
        filename=NOTICE.name,
        data=NOTICE.read_bytes(),
        text=None,
        source_dir=source_dir,
    )
    session.commit()
    return notice


def tasks_of(session: Session, notice: Conclusion) -> list[Task]:
    return list(
        session.exec(
            select(Task).where(Task.conclusion_id == notice.id).order_by(Task.position)
        ).all()
    )


def rows_as_stored(session: Session, notice: Conclusion, **changes: dict) -> list[DraftRow]:
    """The draft's rows as the editor would post them unchanged; `changes` by task code."""
    rows = []
    for task in tasks_of(session, notice):
        links = session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)).all()
        row = {
            "task_id": task.id,
            "code": task.code,
            "text": task.text,
            "lead": [f"u:{link.unit_id}" for link in links if link.role == "lead"],
            "support": [f"u:{link.unit_id}" for link in links if link.role == "support"],
            "due": task.due,
            "recurrence": task.recurrence,
        }
        row.update(changes.get(task.code.replace(".", "_"), {}))
        rows.append(DraftRow(**row))
    return rows


def save(session: Session, secretary: User, notice: Conclusion, rows: list[DraftRow]) -> None:
    session.refresh(notice)
    save_draft(
        session,
        actor=secretary,
        conclusion_id=notice.id,
        expected_version=notice.version,
        header=DraftHeader(notice.number, notice.title, notice.issued_on, None, None),
        rows=rows,
    )
    session.commit()


def flags(session: Session, notice: Conclusion) -> dict[str, list[str]]:
    result = {}
    for task in tasks_of(session, notice):
        session.refresh(task)
        has_lead = session.exec(
            select(func.count())
            .select_from(TaskUnit)
            .where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
        ).one()
        reasons = review_reasons(task, has_lead=bool(has_lead))
        if reasons:
            result[task.code] = reasons
    return result


def mttq(session: Session) -> str:
    return f"u:{session.exec(select(Unit.id).where(Unit.code == 'MTTQ')).one()}"


def test_a_flag_says_why_and_clears_when_the_lead_is_fixed(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    before = flags(session, notice)
    assert NO_LEAD in before["3.b"]  # the unknown unit left it without a lead
    assert any("Sở Khoa học và Công nghệ" in reason for reason in before["3.b"])
    save(session, secretary, notice, rows_as_stored(session, notice))
    assert flags(session, notice) == before  # saving unchanged settles nothing
    save(
        session,
        secretary,
        notice,
        rows_as_stored(session, notice, **{"3_b": {"lead": [mttq(session)]}}),
    )
    assert "3.b" not in flags(session, notice)


def test_ticking_reviewed_clears_the_readers_doubt_but_not_a_missing_due(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    first = tasks_of(session, notice)[0]
    first.needs_review, first.warnings = True, ["Hạn đọc được chưa chắc chắn"]
    session.add(first)
    session.commit()
    assert flags(session, notice)["1.a"] == ["Hạn đọc được chưa chắc chắn"]
    code = "1_a"
    save(
        session,
        secretary,
        notice,
        rows_as_stored(session, notice, **{code: {"reviewed": True, "due": None}}),
    )
    assert flags(session, notice)["1.a"] == [NO_DUE]  # publishing needs a date: no tick hides it
    save(session, secretary, notice, rows_as_stored(session, notice, **{code: {"due": TODAY}}))
    assert "1.a" not in flags(session, notice)


def test_doubt_without_a_reason_is_named_and_a_tick_clears_it(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    first = tasks_of(session, notice)[0]
    first.needs_review, first.warnings = True, []
    session.add(first)
    session.commit()
    assert flags(session, notice)["1.a"] == [UNSURE]
    save(session, secretary, notice, rows_as_stored(session, notice, **{"1_a": {"reviewed": True}}))
    assert "1.a" not in flags(session, notice)


def test_publication_summary_counts_what_publishing_would_do(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    summary = desk.publication_summary(
        session, actor=secretary, conclusion_id=notice.id, today=TODAY
    )
    tasks = tasks_of(session, notice)
    assert summary.tasks == len(tasks) > 10
    assert [task.code for task in summary.flagged] == list(flags(session, notice))
    assert "3.b" in summary.blocking
    overdue = [task.code for task in tasks if task.due and task.due < TODAY]
    soon = [task.code for task in tasks if task.due and TODAY <= task.due <= date(2025, 9, 1)]
    assert [task.code for task in summary.overdue] == overdue and overdue
    assert [task.code for task in summary.due_soon] == soon and soon
    leads = session.exec(select(func.count()).select_from(TaskUnit).where(TaskUnit.role == "lead"))
    assert summary.assignments == leads.one()
    assert all(load.tasks >= 1 for load in summary.units)
    assert summary.units == sorted(summary.units, key=lambda load: (-load.tasks, load.name))
    with pytest.raises(PermissionDenied):
        desk.publication_summary(
            session, actor=make_user(session, "head"), conclusion_id=notice.id, today=TODAY
        )


def test_moving_past_due_dates_moves_only_those_with_history(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    before = {task.code: task.due for task in tasks_of(session, notice)}
    with pytest.raises(InvalidInput, match="đã qua"):
        desk.move_past_due_dates(
            session,
            actor=secretary,
            conclusion_id=notice.id,
            expected_version=notice.version,
            new_due=date(2025, 8, 1),
            today=TODAY,
        )
    moved = desk.move_past_due_dates(
        session,
        actor=secretary,
        conclusion_id=notice.id,
        expected_version=notice.version,
        new_due=date(2025, 10, 15),
        today=TODAY,
    )
    session.commit()
    past = [code for code, due in before.items() if due and due < TODAY]
    assert moved == past and past
    after = {task.code: task.due for task in tasks_of(session, notice)}
    assert all(after[code] == date(2025, 10, 15) for code in past)
    assert all(after[code] == due for code, due in before.items() if code not in past)
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "conclusion.due_dates_moved")
    ).one()
    assert event.changes[f"due[{past[0]}]"] == [before[past[0]].isoformat(), "2025-10-15"]
    with pytest.raises(StaleUpdate):  # the page that showed the old dates is out of date
        desk.move_past_due_dates(
            session,
            actor=secretary,
            conclusion_id=notice.id,
            expected_version=1,
            new_due=date(2025, 10, 15),
            today=TODAY,
        )


def test_a_junk_draft_is_deleted_with_its_file_and_a_history_row(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    stored = tmp_path / notice.source_path
    assert stored.is_file()
    with pytest.raises(PermissionDenied):
        desk.delete_draft(
            session, actor=make_user(session, "head"), conclusion_id=notice.id, source_dir=tmp_path
        )
    count = len(tasks_of(session, notice))
    desk.delete_draft(session, actor=secretary, conclusion_id=notice.id, source_dir=tmp_path)
    session.commit()
    assert session.exec(select(func.count()).select_from(Conclusion)).one() == 0
    assert session.exec(select(func.count()).select_from(Task)).one() == 0
    assert not stored.exists()
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "conclusion.draft_deleted")
    ).one()
    assert event.actor_id == secretary.id and event.changes["tasks"] == [count, 0]


def test_a_file_shared_by_two_drafts_stays_until_the_last_goes(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    first, second = imported(session, secretary, tmp_path), imported(session, secretary, tmp_path)
    stored = tmp_path / first.source_path
    desk.delete_draft(session, actor=secretary, conclusion_id=first.id, source_dir=tmp_path)
    session.commit()
    assert stored.is_file()
    desk.delete_draft(session, actor=secretary, conclusion_id=second.id, source_dir=tmp_path)
    session.commit()
    assert not stored.exists()


def test_a_published_notice_is_never_deleted(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    task = session.exec(select(Task).where(Task.code == "3.b")).one()
    session.add(TaskUnit(task_id=task.id, unit_id=int(mttq(session)[2:]), role="lead"))
    publish(session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version)
    session.commit()
    with pytest.raises(InvalidInput, match="đã được ban hành"):
        desk.delete_draft(session, actor=secretary, conclusion_id=notice.id, source_dir=tmp_path)
    assert (tmp_path / notice.source_path).is_file()


def test_the_source_document_is_for_those_the_notice_concerns(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    units = {unit.code: unit for unit in session.exec(select(Unit)).all()}
    task = session.exec(select(Task).where(Task.code == "3.b")).one()
    session.add(TaskUnit(task_id=task.id, unit_id=units["MTTQ"].id, role="lead"))
    session.flush()
    concerned = make_user(session, "unit", unit=units["MTTQ"])
    lead_codes = set(
        session.exec(select(Unit.code).join(TaskUnit, TaskUnit.unit_id == Unit.id)).all()
    )
    stranger_unit = next(unit for code, unit in units.items() if code not in lead_codes)
    stranger = make_user(session, "unit", unit=stranger_unit)
    head = make_user(session, "head")
    session.commit()
    got = desk.source_document(
        session, actor=secretary, conclusion_id=notice.id, source_dir=tmp_path
    )
    assert got.path.read_bytes() == NOTICE.read_bytes() and got.filename == NOTICE.name
    for early in (head, concerned):  # a draft is the secretary's until it is published
        with pytest.raises(NotFound):
            desk.source_document(session, actor=early, conclusion_id=notice.id, source_dir=tmp_path)
    publish(session, actor=secretary, conclusion_id=notice.id, expected_version=notice.version)
    session.commit()
    desk.source_document(session, actor=head, conclusion_id=notice.id, source_dir=tmp_path)
    desk.source_document(session, actor=concerned, conclusion_id=notice.id, source_dir=tmp_path)
    with pytest.raises(PermissionDenied):
        desk.source_document(session, actor=stranger, conclusion_id=notice.id, source_dir=tmp_path)
    (tmp_path / notice.source_path).unlink()
    with pytest.raises(NotFound, match="Không còn tệp gốc"):
        desk.source_document(session, actor=secretary, conclusion_id=notice.id, source_dir=tmp_path)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("mat tran", "Ủy ban Mặt trận Tổ quốc"),
        ("Đoàn thanh niên", "đoàn thanh niên"),
        ("  HỘI   nông dân ", "hoi nong dan"),
    ],
)
def test_search_ignores_diacritics_case_and_spaces(typed: str, name: str) -> None:
    assert fold(typed) in fold(name)
