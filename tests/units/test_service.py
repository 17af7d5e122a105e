"""Loading the directory into the database, and the unit tree."""

import html
from io import BytesIO
from pathlib import Path

from flask import Flask
from sqlmodel import Session, func, select

from tests.helpers import make_unit, make_user
from tracker.audit.models import AuditEvent
from tracker.errors import PermissionDenied
from tracker.units.directory import parse_directory
from tracker.units.models import Unit, UnitGroup, UnitGroupMember
from tracker.units.queries import unit_scope
from tracker.units.service import load_directory

DIRECTORY = """\
units:
  - code: TOP
    name: Ban Dân vận Tỉnh ủy
  - code: MID
    name: Ban Dân vận Huyện ủy
    parent: TOP
  - code: LOW
    name: Đảng ủy xã
    parent: MID
  - code: OTHER
    name: Hội Nông dân tỉnh
groups:
  - code: G
    name: nhóm thử
    members: [MID, OTHER]
"""


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_loading_twice_updates_in_place_and_never_duplicates(session: Session) -> None:
    first = load_directory(session, actor=None, directory=parse_directory(DIRECTORY))
    session.commit()
    assert sorted(first.created) == ["LOW", "MID", "OTHER", "TOP"]
    events = _count(session, AuditEvent)

    again = load_directory(session, actor=None, directory=parse_directory(DIRECTORY))
    session.commit()
    assert again.created == [] and again.updated == [] and again.unchanged == 4
    assert _count(session, Unit) == 4
    assert _count(session, UnitGroup) == 1
    assert _count(session, UnitGroupMember) == 2
    assert _count(session, AuditEvent) == events  # nothing changed, nothing recorded


def test_changes_are_applied_and_audited(session: Session) -> None:
    load_directory(session, actor=None, directory=parse_directory(DIRECTORY))
    session.commit()
    changed = DIRECTORY.replace(
        "name: Hội Nông dân tỉnh", "name: Hội Nông dân Việt Nam tỉnh"
    ).replace("members: [MID, OTHER]", "members: [OTHER, LOW]")
    summary = load_directory(session, actor=None, directory=parse_directory(changed))
    session.commit()
    assert summary.updated == ["OTHER"]
    assert summary.groups_updated == ["G"]
    other = session.exec(select(Unit).where(Unit.code == "OTHER")).one()
    assert other.name == "Hội Nông dân Việt Nam tỉnh"
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "unit.updated", AuditEvent.entity_id == other.id
        )
    ).one()
    assert event.changes == {"name": ["Hội Nông dân tỉnh", "Hội Nông dân Việt Nam tỉnh"]}
    members = session.exec(
        select(Unit.code).join(UnitGroupMember, UnitGroupMember.unit_id == Unit.id)
    ).all()
    assert sorted(members) == ["LOW", "OTHER"]


def test_units_missing_from_a_new_file_are_kept_and_reported(session: Session) -> None:
    load_directory(session, actor=None, directory=parse_directory(DIRECTORY))
    summary = load_directory(
        session,
        actor=None,
        directory=parse_directory("units:\n  - code: TOP\n    name: Ban Dân vận Tỉnh ủy\n"),
    )
    assert summary.not_in_file == ["LOW", "MID", "OTHER"]
    assert _count(session, Unit) == 4


def test_unit_scope_is_the_subtree(session: Session) -> None:
    load_directory(session, actor=None, directory=parse_directory(DIRECTORY))
    ids = {unit.code: unit.id for unit in session.exec(select(Unit)).all()}
    assert unit_scope(session, ids["MID"]) == {ids["MID"], ids["LOW"]}
    assert unit_scope(session, ids["TOP"]) == {ids["TOP"], ids["MID"], ids["LOW"]}
    assert unit_scope(session, ids["OTHER"]) == {ids["OTHER"]}


def test_only_admins_load_from_the_web(session: Session) -> None:
    unit = make_unit(session, "U1")
    secretary = make_user(session, "secretary")
    try:
        load_directory(session, actor=secretary, directory=parse_directory(DIRECTORY))
    except PermissionDenied:
        pass
    else:
        raise AssertionError("a secretary loaded the directory")
    assert _count(session, Unit) == 1 and unit.code == "U1"


def test_a_file_sharing_a_name_with_a_unit_it_leaves_is_refused(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    """The file alone is fine; with the units already there (kept as they are) a name would
    stand for two units: refused by the command and by the web upload, nothing written."""
    from tests.admin.test_admin_views import admin_client
    from tests.helpers import csrf_token
    from tests.test_cli import run

    make_unit(session, "UBND", "Ủy ban nhân dân tỉnh")
    session.commit()
    clashing = "units:\n  - code: VP\n    name: Văn phòng\n    aliases: [UBND tỉnh]\n"
    path = tmp_path / "units.yaml"
    path.write_text(clashing, encoding="utf-8")
    result = run(app, "units", "load", str(path))
    assert result.exit_code == 2
    assert "'UBND tỉnh' của đơn vị 'VP' trùng với tên 'Ủy ban nhân dân tỉnh'" in result.output
    client = app.test_client()
    admin_client(client, session)
    response = client.post(
        "/quan-tri/don-vi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/don-vi"),
            "file": (BytesIO(clashing.encode()), "don-vi.yaml"),
        },
        content_type="multipart/form-data",
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "trùng với tên 'Ủy ban nhân dân tỉnh' của đơn vị 'UBND'" in page
    assert session.exec(select(func.count()).select_from(Unit)).one() == 1
