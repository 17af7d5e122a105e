"""Progress reports, optimistic locking, delegation with roll-up, comments: the service rules."""

import pytest
from sqlmodel import Session, select

from tests.assignments.conftest import DUE, TODAY, World
from tracker.assignments.evidence import EvidenceStore, Upload
from tracker.assignments.models import AssignmentComment, EvidenceFile, ProgressReport
from tracker.assignments.progress import add_comment, delegate, report_progress
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput, NotFound, PermissionDenied, StaleUpdate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def report(session: Session, world: World, store: EvidenceStore, **overrides):  # type: ignore[no-untyped-def]
    arguments = {
        "actor": world.district_user,
        "assignment_id": world.assignment.id,
        "expected_version": world.assignment.version,
        "status": "in_progress",
        "percent": 50,
        "note": "Đã họp triển khai",
        "uploads": [],
        "store": store,
        "today": TODAY,
    } | overrides
    return report_progress(session, **arguments)


def history(session: Session, assignment_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == assignment_id)
            .order_by(AuditEvent.id)
        ).all()
    )


def test_report_records_before_and_after(
    session: Session, world: World, store: EvidenceStore
) -> None:
    report(session, world, store, uploads=[Upload("bien-ban.pdf", PDF)])
    session.commit()
    assignment = world.assignment
    session.refresh(assignment)
    assert (assignment.status, assignment.percent, assignment.version) == ("in_progress", 50, 2)
    saved = session.exec(select(ProgressReport)).one()
    assert (saved.status_before, saved.percent_before) == ("not_started", 0)
    assert (saved.status_after, saved.percent_after) == ("in_progress", 50)
    event = history(session, assignment.id)[-1]
    assert event.actor_id == world.district_user.id
    assert event.changes == {"status": ["not_started", "in_progress"], "percent": [0, 50]}
    evidence = session.exec(select(EvidenceFile)).one()
    assert evidence.original_name == "bien-ban.pdf"
    assert evidence.content_type == "application/pdf"
    assert store.path(evidence.stored_name).read_bytes() == PDF
    assert evidence.stored_name != "bien-ban.pdf"


def test_done_means_full_and_dated(session: Session, world: World, store: EvidenceStore) -> None:
    report(session, world, store, status="done", percent=40)
    session.refresh(world.assignment)
    assert world.assignment.percent == 100
    assert world.assignment.completed_on == TODAY


def test_a_stale_version_is_refused_and_nothing_changes(
    session: Session, world: World, store: EvidenceStore
) -> None:
    report(session, world, store)  # version 1 -> 2
    session.commit()
    with pytest.raises(StaleUpdate, match="Người khác vừa cập nhật"):
        report(
            session, world, store, expected_version=1, percent=80, uploads=[Upload("x.pdf", PDF)]
        )
    session.rollback()
    session.refresh(world.assignment)
    assert world.assignment.percent == 50
    assert len(session.exec(select(ProgressReport)).all()) == 1
    assert session.exec(select(EvidenceFile)).all() == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "cancelled"}, "Tình trạng không hợp lệ"),
        ({"percent": 120}, "từ 0 đến 100"),
        ({"status": "not_started", "percent": 30}, "0%"),
        ({"note": "x" * 4001}, "dài quá"),
        (
            {"uploads": [Upload("virus.pdf", b"MZ\x90\x00 this is a windows program")]},
            "không được nhận",
        ),
        ({"uploads": [Upload("trong.pdf", b"")]}, "rỗng"),
    ],
)
def test_bad_reports_are_refused(
    session: Session, world: World, store: EvidenceStore, overrides: dict, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        report(session, world, store, **overrides)
    session.rollback()
    session.refresh(world.assignment)
    assert world.assignment.version == 1
    assert not store.root.exists() or not any(store.root.iterdir())


def test_only_the_assigned_unit_or_above_reports(
    session: Session, world: World, store: EvidenceStore
) -> None:
    for outsider in (world.other_user, world.commune_user, world.head, world.secretary):
        with pytest.raises(PermissionDenied):
            report(session, world, store, actor=outsider)
    with pytest.raises(NotFound):
        report(session, world, store, assignment_id=999_999)


def test_delegation_rolls_progress_up(session: Session, world: World, store: EvidenceStore) -> None:
    (part,) = delegate(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        unit_ids=[world.commune.id],
        due=None,
        today=TODAY,
    )
    session.commit()
    assert part.due == DUE and part.parent_id == world.assignment.id
    report_progress(
        session,
        actor=world.commune_user,
        assignment_id=part.id,
        expected_version=part.version,
        status="in_progress",
        percent=60,
        note="",
        uploads=[],
        store=store,
        today=TODAY,
    )
    session.refresh(world.assignment)
    assert (world.assignment.status, world.assignment.percent) == ("in_progress", 60)
    session.refresh(part)
    report_progress(
        session,
        actor=world.commune_user,
        assignment_id=part.id,
        expected_version=part.version,
        status="done",
        percent=100,
        note="Xong",
        uploads=[],
        store=store,
        today=TODAY,
    )
    session.refresh(world.assignment)
    assert world.assignment.status == "done"
    assert world.assignment.completed_on == TODAY
    actions = [event.action for event in history(session, world.assignment.id)]
    assert actions.count("assignment.rolled_up") == 2


@pytest.mark.parametrize("target", ["other", "district"])
def test_delegation_only_to_units_below(session: Session, world: World, target: str) -> None:
    with pytest.raises(InvalidInput, match="cấp dưới"):
        delegate(
            session,
            actor=world.district_user,
            assignment_id=world.assignment.id,
            unit_ids=[getattr(world, target).id],
            due=None,
            today=TODAY,
        )


def test_delegation_due_within_the_parents(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput, match="Hạn phân công"):
        delegate(
            session,
            actor=world.district_user,
            assignment_id=world.assignment.id,
            unit_ids=[world.commune.id],
            due=DUE.replace(month=7),
            today=TODAY,
        )


def test_support_unit_reads_and_comments_but_does_not_report(
    session: Session, world: World, store: EvidenceStore
) -> None:
    add_comment(
        session,
        actor=world.other_user,
        assignment_id=world.assignment.id,
        body="Hội Nông dân sẽ cử cán bộ phối hợp",
    )
    assert session.exec(select(AssignmentComment)).one().author_id == world.other_user.id
    with pytest.raises(PermissionDenied):
        report(session, world, store, actor=world.other_user)


def test_empty_comment_is_refused(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        add_comment(
            session, actor=world.district_user, assignment_id=world.assignment.id, body="   "
        )


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100


@pytest.mark.parametrize(
    ("sent_as", "data", "kept_as", "content_type"),
    [
        ("bienban.html", PDF, "bienban.pdf", "application/pdf"),
        ("bien ban", PDF, "bien ban.pdf", "application/pdf"),
        (
            "anh-hien-truong.jpeg",
            b"\xff\xd8\xff\xe0" + b"\x00" * 50,
            "anh-hien-truong.jpeg",
            "image/jpeg",
        ),
        ("so-lieu.xls", OLE, "so-lieu.xls", "application/vnd.ms-excel"),
        ("so-lieu.exe", OLE, "so-lieu.doc", "application/msword"),
    ],
)
def test_evidence_is_named_and_typed_by_its_content(
    session: Session,
    world: World,
    store: EvidenceStore,
    sent_as: str,
    data: bytes,
    kept_as: str,
    content_type: str,
) -> None:
    report(session, world, store, uploads=[Upload(sent_as, data)])
    session.commit()
    evidence = session.exec(select(EvidenceFile)).one()
    assert (evidence.original_name, evidence.content_type) == (kept_as, content_type)
    assert evidence.stored_name.endswith(kept_as[kept_as.rindex(".") :])


def test_evidence_written_for_a_rolled_back_report_is_removed(
    session: Session, world: World, store: EvidenceStore
) -> None:
    report(session, world, store, uploads=[Upload("a.pdf", PDF), Upload("b.pdf", PDF)])
    assert len(list(store.root.iterdir())) == 2  # on disk before the commit, so a row never
    session.rollback()  # points at a missing file; a rollback takes them away again
    assert list(store.root.iterdir()) == []
    report(session, world, store, uploads=[Upload("a.pdf", PDF)])
    session.commit()
    session.rollback()  # nothing pending: the committed file stays
    [kept] = store.root.iterdir()
    assert kept.name == session.exec(select(EvidenceFile)).one().stored_name
