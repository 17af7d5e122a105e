"""The admin creates and edits single units and groups on the web: the same rules as a directory
file (one check for both), nothing deleted, stale forms refused, every change in the trail."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tests.admin.test_admin_views import admin_client
from tests.helpers import (
    at_once,
    csrf_token,
    login_as,
    make_assignment,
    make_notice,
    make_unit,
    make_user,
)
from tests.units.test_spreadsheet import workbook_bytes
from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.audit.models import AuditEvent
from tracker.errors import PermissionDenied
from tracker.units import editing
from tracker.units.directory import DirectoryError, parse_directory
from tracker.units.models import Unit, UnitGroup, UnitGroupMember
from tracker.units.service import load_directory
from tracker.units.spreadsheet import read_directory_workbook

NEW_UNIT = "/quan-tri/don-vi/moi"
NEW_GROUP = "/quan-tri/nhom-don-vi/moi"
STAMP = re.compile(r'name="stamp"[^>]*value="([^"]*)"')


def _post(client: FlaskClient, path: str, **fields: object) -> tuple[int, str]:
    page = client.get(path).get_data(as_text=True)
    stamp = STAMP.search(page)
    data: dict[str, object] = {"csrf_token": csrf_token(client, path), "is_active": "y"}
    data["stamp"] = stamp.group(1) if stamp else ""
    data.update(fields)
    data = {name: value for name, value in data.items() if value is not None}
    response = client.post(path, data=data)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
    )


def _unit(session: Session, code: str) -> Unit:
    session.expire_all()
    return session.exec(select(Unit).where(Unit.code == code)).one()


def test_a_unit_is_created_then_edited_through_the_form(
    client: FlaskClient, session: Session
) -> None:
    admin = admin_client(client, session)
    top = make_unit(session, "TU", "Tỉnh ủy")
    session.commit()
    status, _ = _post(
        client,
        NEW_UNIT,
        code="BTG",
        name="Ban Tuyên giáo  Tỉnh ủy",
        parent=str(top.id),
        aliases="Ban Tuyên giáo tỉnh\n\n  BTGTU \nBan Tuyên giáo tỉnh",
    )
    assert status == 302
    created = _unit(session, "BTG")
    assert created.name == "Ban Tuyên giáo Tỉnh ủy"
    assert created.aliases == ["Ban Tuyên giáo tỉnh", "BTGTU"]
    assert created.parent_id == top.id and created.is_active
    (event,) = _events(session, "unit.created")
    assert event.actor_id == admin.id and event.entity_id == created.id
    assert event.changes["parent"] == [None, "TU"]

    status, _ = _post(
        client,
        f"/quan-tri/don-vi/{created.id}",
        code="BTG",
        name="Ban Tuyên giáo và Dân vận Tỉnh ủy",
        parent=str(top.id),
        aliases="BTGDV",
    )
    assert status == 302
    (edited,) = _events(session, "unit.updated")
    assert edited.changes == {
        "name": ["Ban Tuyên giáo Tỉnh ủy", "Ban Tuyên giáo và Dân vận Tỉnh ủy"],
        "aliases": [["Ban Tuyên giáo tỉnh", "BTGTU"], ["BTGDV"]],
    }
    trail = html.unescape(client.get("/quan-tri/nhat-ky").get_data(as_text=True))
    assert "Tên: Ban Tuyên giáo Tỉnh ủy → Ban Tuyên giáo và Dân vận Tỉnh ủy" in trail
    assert f'href="/quan-tri/don-vi/{created.id}"' in trail


def test_a_unit_with_assignments_is_taken_out_of_use_never_deleted(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    assignment = make_assignment(session, make_notice(session), unit)
    session.commit()
    status, _ = _post(
        client, f"/quan-tri/don-vi/{unit.id}", code="HND", name=unit.name, parent="", is_active=None
    )
    assert status == 302
    unit = _unit(session, "HND")
    assert unit.is_active is False
    assert session.get(Assignment, assignment.id) is not None
    (event,) = _events(session, "unit.updated")
    assert event.changes == {"is_active": [True, False]}
    listing = client.get("/quan-tri/don-vi").get_data(as_text=True)
    assert "Hội Nông dân tỉnh</a> (ngừng dùng)" in listing


BAD_UNIT_YAML = """\
units:
  - code: BTG
    name: Ban Tuyên giáo Tỉnh ủy
  - code: BTG2
    name: Ban Tuyên truyền tỉnh
    aliases: ["ban tuyên giáo  tỉnh ủy"]
"""


def test_a_shared_alias_is_refused_by_the_form_as_by_the_files(
    client: FlaskClient, session: Session
) -> None:
    """One bad unit (its alias is another unit's name, in other case and spacing) fed to the
    YAML reader, the Excel reader, a file load against the database and the web form: refused
    by all with the same reason, and nothing written."""
    with pytest.raises(DirectoryError) as from_yaml:
        parse_directory(BAD_UNIT_YAML, source="don-vi.yaml")
    rows = [
        ("Mã", "Tên", "Tên khác"),
        ("BTG", "Ban Tuyên giáo Tỉnh ủy", None),
        ("BTG2", "Ban Tuyên truyền tỉnh", "ban tuyên giáo  tỉnh ủy"),
    ]
    with pytest.raises(DirectoryError) as from_excel:
        read_directory_workbook(workbook_bytes(rows), source="don-vi.xlsx")
    reason = from_yaml.value.reason
    assert from_excel.value.reason == reason
    assert "'BTG2'" in reason and "'BTG'" in reason and "trùng" in reason

    admin_client(client, session)
    make_unit(session, "BTG", "Ban Tuyên giáo Tỉnh ủy")
    session.commit()
    only_the_new_one = parse_directory(
        "units:\n  - code: BTG2\n    name: Ban Tuyên truyền tỉnh\n"
        "    aliases: ['ban tuyên giáo  tỉnh ủy']\n"
    )
    with pytest.raises(DirectoryError) as from_load:
        load_directory(session, actor=None, directory=only_the_new_one)
    session.rollback()
    assert from_load.value.reason == reason

    status, page = _post(
        client,
        NEW_UNIT,
        code="BTG2",
        name="Ban Tuyên truyền tỉnh",
        parent="",
        aliases="ban tuyên giáo  tỉnh ủy",
    )
    assert status == 400
    assert reason in page and "chưa có gì thay đổi" in page
    assert session.exec(select(func.count()).select_from(Unit)).one() == 1  # BTG alone
    assert _events(session, "unit.created") == []


def test_a_duplicate_code_and_an_abbreviated_name_are_refused(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    make_unit(session, "UBND", "Ủy ban nhân dân tỉnh")
    session.commit()
    status, page = _post(client, NEW_UNIT, code="UBND", name="Văn phòng", parent="")
    assert status == 400 and "mã đơn vị 'UBND' bị trùng" in page
    status, page = _post(client, NEW_UNIT, code="VP", name="UBND tỉnh", parent="")
    assert status == 400 and "trùng với tên 'Ủy ban nhân dân tỉnh'" in page
    status, page = _post(client, NEW_UNIT, code="có dấu", name="Văn phòng", parent="")
    assert status == 400 and "không hợp lệ" in page
    assert session.exec(select(func.count()).select_from(Unit)).one() == 1


def test_an_inactive_unit_s_name_is_free_for_a_new_unit(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    old = make_unit(session, "SKHDT", "Sở Kế hoạch và Đầu tư")
    old.is_active = False
    session.commit()
    status, _ = _post(client, NEW_UNIT, code="STC", name="Sở Kế hoạch và Đầu tư", parent="")
    assert status == 302


def test_a_parent_cycle_is_refused_and_nothing_changes(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    top = make_unit(session, "TU", "Tỉnh ủy")
    middle = make_unit(session, "HU", "Huyện ủy A", parent=top)
    low = make_unit(session, "XU", "Đảng ủy xã B", parent=middle)
    session.commit()
    status, page = _post(
        client, f"/quan-tri/don-vi/{top.id}", code="TU", name="Tỉnh ủy", parent=str(low.id)
    )
    assert status == 400
    assert "vòng lặp" in page and "chưa có gì thay đổi" in page
    assert _unit(session, "TU").parent_id is None
    assert _events(session, "unit.updated") == []


def test_a_stale_unit_form_is_refused(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    session.commit()
    path = f"/quan-tri/don-vi/{unit.id}"
    old_page = client.get(path).get_data(as_text=True)
    old_stamp = STAMP.search(old_page)
    assert old_stamp
    status, _ = _post(client, path, code="HND", name="Hội Nông dân", parent="")
    assert status == 302
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "stamp": html.unescape(old_stamp.group(1)),
            "code": "HND",
            "name": "Hội Nông dân Việt Nam tỉnh",
            "parent": "",
            "is_active": "y",
        },
    )
    assert response.status_code == 409
    assert "Người khác vừa sửa mục này" in response.get_data(as_text=True)
    assert _unit(session, "HND").name == "Hội Nông dân"
    assert len(_events(session, "unit.updated")) == 1


def test_two_saves_from_the_same_form_only_the_first_goes_through(
    engine: Engine, session: Session
) -> None:
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    admins = [make_user(session, "admin"), make_user(session, "admin")]
    session.commit()
    stamp = editing.stamp_of(unit)

    def save(work: Session, actor: User, index: int) -> None:
        fields = editing.UnitFields("HND", f"Hội Nông dân {index}", (), None, True)
        editing.save_unit(work, actor=actor, unit_id=unit.id, fields=fields, stamp=stamp)

    outcomes = at_once(engine, [admin.id for admin in admins if admin.id], save)
    assert sorted(outcomes) == ["StaleUpdate", "ok"]
    assert len(_events(session, "unit.updated")) == 1


def test_only_an_admin_edits_the_directory(client: FlaskClient, session: Session) -> None:
    secretary = make_user(session, "secretary", username="thuky")
    session.commit()
    fields = editing.UnitFields("X", "Ban X", (), None, True)
    with pytest.raises(PermissionDenied):
        editing.save_unit(session, actor=secretary, unit_id=None, fields=fields, stamp=None)
    login_as(client, "thuky")
    response = client.post(
        NEW_UNIT,
        data={"csrf_token": csrf_token(client, "/thong-bao"), "code": "X", "name": "Ban X"},
    )
    assert response.status_code == 403
    assert session.exec(select(Unit).where(Unit.code == "X")).first() is None


def test_a_group_is_created_and_its_members_changed(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    mttq = make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh")
    hnd = make_unit(session, "HND", "Hội Nông dân tỉnh")
    hlhpn = make_unit(session, "HLHPN", "Hội Liên hiệp Phụ nữ tỉnh")
    session.commit()
    status, _ = _post(
        client,
        NEW_GROUP,
        code="CTXH",
        name="các tổ chức chính trị - xã hội",
        aliases="khối đoàn thể",
        members=[str(mttq.id), str(hnd.id)],
    )
    assert status == 302
    group = session.exec(select(UnitGroup).where(UnitGroup.code == "CTXH")).one()
    assert sorted(editing.group_member_ids(session, group.id or 0)) == sorted([mttq.id, hnd.id])

    path = f"/quan-tri/nhom-don-vi/{group.id}"
    page = client.get(path).get_data(as_text=True)
    assert "data-picker" in page and "picker.js" in page
    status, _ = _post(
        client,
        path,
        code="CTXH",
        name="các tổ chức chính trị - xã hội",
        aliases="khối đoàn thể",
        members=[str(hnd.id), str(hlhpn.id)],
    )
    assert status == 302
    session.expire_all()
    members = session.exec(
        select(UnitGroupMember.unit_id).where(UnitGroupMember.group_id == group.id)
    ).all()
    assert sorted(members) == sorted([hnd.id, hlhpn.id])
    (event,) = _events(session, "unit_group.updated")
    assert event.changes == {"members": [["HND", "MTTQ"], ["HLHPN", "HND"]]}

    status, page = _post(client, path, code="CTXH", name="các tổ chức", aliases="", members=None)
    assert status == 400 and "Chọn ít nhất một đơn vị thành viên" in page
    status, page = _post(
        client, path, code="CTXH", name="Hội Nông dân tỉnh", aliases="", members=[str(hnd.id)]
    )
    assert status == 400 and "trùng với tên 'Hội Nông dân tỉnh'" in page
    trail = html.unescape(client.get("/quan-tri/nhat-ky").get_data(as_text=True))
    assert "Thành viên: HND, MTTQ → HLHPN, HND" in trail
    assert f'href="/quan-tri/nhom-don-vi/{group.id}"' in trail


def test_an_old_clash_elsewhere_does_not_block_an_unrelated_edit(
    client: FlaskClient, session: Session
) -> None:
    """Two units saved before names were checked share a name: editing a third unit still
    works, and the clash is reported when one of the two is edited."""
    admin_client(client, session)
    first = make_unit(session, "A1", "Ban Dân vận")
    make_unit(session, "A2", "Ban Dân vận")
    third = make_unit(session, "HND", "Hội Nông dân tỉnh")
    session.commit()
    status, _ = _post(
        client, f"/quan-tri/don-vi/{third.id}", code="HND", name="Hội Nông dân", parent=""
    )
    assert status == 302
    status, page = _post(
        client, f"/quan-tri/don-vi/{first.id}", code="A1", name="Ban Dân vận", parent=""
    )
    assert status == 400 and "trùng với tên 'Ban Dân vận'" in page


def test_a_stale_group_form_is_refused(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    fields = editing.GroupFields("G", "nhóm thử", (), (unit.id or 0,))
    admin = session.exec(select(User).where(User.username == "quantri")).one()
    group = editing.save_group(session, actor=admin, group_id=None, fields=fields, stamp=None)
    session.commit()
    old_stamp = editing.stamp_of(group)
    renamed = editing.GroupFields("G", "nhóm đã đổi tên", (), (unit.id or 0,))
    editing.save_group(session, actor=admin, group_id=group.id, fields=renamed, stamp=old_stamp)
    session.commit()
    path = f"/quan-tri/nhom-don-vi/{group.id}"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "stamp": old_stamp,
            "code": "G",
            "name": "nhóm cũ",
            "members": [str(unit.id)],
        },
    )
    assert response.status_code == 409
    session.expire_all()
    assert session.get(UnitGroup, group.id).name == "nhóm đã đổi tên"


def _ctxh_group(session: Session) -> tuple[User, UnitGroup, list[Unit]]:
    admin = session.exec(select(User).where(User.username == "quantri")).one()
    units = [make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh"), make_unit(session, "HND", "Hội ND")]
    fields = editing.GroupFields(
        "CTXH",
        "các tổ chức chính trị - xã hội",
        ("khối đoàn thể",),
        tuple(u.id or 0 for u in units),
    )
    group = editing.save_group(session, actor=admin, group_id=None, fields=fields, stamp=None)
    session.commit()
    return admin, group, units


def test_a_group_is_deleted_after_a_confirmation_and_its_units_stay(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    _, group, _ = _ctxh_group(session)
    group_id = group.id
    path = f"/quan-tri/nhom-don-vi/{group_id}"
    page = html.unescape(client.get(path).get_data(as_text=True))
    assert "Xóa nhóm CTXH" in page and "Tôi muốn xóa nhóm này" in page
    stamp = STAMP.search(page)
    assert stamp is not None
    form = {"csrf_token": csrf_token(client, path), "stamp": stamp.group(1)}

    unconfirmed = client.post(f"{path}/xoa", data=form)
    assert unconfirmed.status_code == 400
    text = html.unescape(unconfirmed.get_data(as_text=True))
    assert "Đánh dấu ô xác nhận nếu anh/chị muốn xóa nhóm này." in text
    assert 'value="các tổ chức chính trị - xã hội"' in text  # the group as saved, unchanged
    session.expire_all()
    assert session.get(UnitGroup, group_id) is not None

    deleted = client.post(f"{path}/xoa", data={**form, "confirm": "y"})
    assert deleted.status_code == 302
    assert deleted.headers["Location"].endswith("/quan-tri/don-vi#nhom-don-vi")
    session.expire_all()
    assert session.get(UnitGroup, group_id) is None
    assert session.exec(select(UnitGroupMember)).all() == []
    assert [unit.code for unit in session.exec(select(Unit)).all()] == ["MTTQ", "HND"]
    (event,) = _events(session, "unit_group.deleted")
    assert event.entity_id == group_id
    assert event.changes == {
        "code": ["CTXH", None],
        "name": ["các tổ chức chính trị - xã hội", None],
        "aliases": [["khối đoàn thể"], None],
        "members": [["HND", "MTTQ"], None],
    }
    units_page = html.unescape(client.get("/quan-tri/don-vi").get_data(as_text=True))
    assert "Đã xóa nhóm các tổ chức chính trị - xã hội" in units_page
    assert f"/quan-tri/nhom-don-vi/{group_id}" not in units_page
    trail = html.unescape(client.get("/quan-tri/nhat-ky").get_data(as_text=True))
    assert "xóa nhóm đơn vị các tổ chức chính trị - xã hội (CTXH), gồm: HND, MTTQ" in trail
    assert client.get(path).status_code == 404
    again = client.post(f"{path}/xoa", data={**form, "confirm": "y"})
    assert again.status_code == 404


def test_a_group_changed_since_the_page_was_opened_is_not_deleted(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    admin, group, units = _ctxh_group(session)
    path = f"/quan-tri/nhom-don-vi/{group.id}"
    old_stamp = editing.stamp_of(group)
    renamed = editing.GroupFields("CTXH", "khối đoàn thể tỉnh", (), (units[0].id or 0,))
    editing.save_group(session, actor=admin, group_id=group.id, fields=renamed, stamp=old_stamp)
    session.commit()
    refused = client.post(
        f"{path}/xoa",
        data={"csrf_token": csrf_token(client, path), "stamp": old_stamp, "confirm": "y"},
    )
    assert refused.status_code == 409
    page = html.unescape(refused.get_data(as_text=True))
    assert "Người khác vừa sửa mục này" in page
    assert 'value="khối đoàn thể tỉnh"' in page  # the group as it is now
    session.expire_all()
    assert session.get(UnitGroup, group.id) is not None
    assert _events(session, "unit_group.deleted") == []
    # The page carries the group's current version: confirming again now deletes it.
    stamps = STAMP.findall(page)  # the edit form's and the deletion's
    assert len(stamps) == 2
    assert set(stamps) == {editing.stamp_of(session.get(UnitGroup, group.id))}
    again = client.post(
        f"{path}/xoa",
        data={"csrf_token": csrf_token(client, path), "stamp": stamps[-1], "confirm": "y"},
    )
    assert again.status_code == 302
    assert len(_events(session, "unit_group.deleted")) == 1


@pytest.mark.parametrize("role", ["secretary", "head", "unit"])
def test_only_an_admin_deletes_a_group(session: Session, role: str) -> None:
    make_user(session, "admin", username="quantri")
    _, group, units = _ctxh_group(session)
    other = make_user(session, role, unit=units[0] if role == "unit" else None)
    with pytest.raises(PermissionDenied):
        editing.delete_group(
            session, actor=other, group_id=group.id or 0, stamp=editing.stamp_of(group)
        )
    session.rollback()
    assert session.get(UnitGroup, group.id) is not None


def _two_admins_create_at_once(
    engine: Engine, session: Session, fields_of: Callable[[int], editing.UnitFields]
) -> None:
    """Two admins save a new unit at the same moment: one is saved, the other is told."""
    admins = [make_user(session, "admin"), make_user(session, "admin")]
    session.commit()

    def create(work: Session, actor: User, index: int) -> None:
        editing.save_unit(work, actor=actor, unit_id=None, fields=fields_of(index), stamp=None)

    outcomes = at_once(engine, [admin.id for admin in admins if admin.id], create)
    assert sorted(outcomes) == ["InvalidInput", "ok"]
    assert session.exec(select(func.count()).select_from(Unit)).one() == 1


@pytest.mark.parametrize("round_", range(3))
def test_two_admins_creating_units_of_the_same_name_at_once_one_is_told(
    engine: Engine, session: Session, round_: int
) -> None:
    """Names are checked against the directory, not by a unique index: without a lock both
    checks could pass before either saves, and the directory would hold the name twice."""
    _two_admins_create_at_once(
        engine,
        session,
        lambda index: editing.UnitFields(f"HND{index}", "Hội Nông dân tỉnh", (), None, True),
    )


def test_two_admins_creating_the_same_code_at_once_one_is_told(
    engine: Engine, session: Session
) -> None:
    _two_admins_create_at_once(
        engine,
        session,
        lambda index: editing.UnitFields("HND", f"Hội Nông dân {index}", (), None, True),
    )


def test_directory_refusals_read_in_english_for_an_english_reader(
    client: FlaskClient, session: Session
) -> None:
    """The shared directory check speaks the reader's language: an upload and a form."""
    admin_client(client, session)
    token = csrf_token(client, "/quan-tri/don-vi")
    client.post("/ngon-ngu", data={"lang": "en", "csrf_token": token})
    top = make_unit(session, "TU", "Tỉnh ủy")
    middle = make_unit(session, "HU", "Huyện ủy A", parent=top)
    session.commit()
    status, page = _post(
        client, f"/quan-tri/don-vi/{top.id}", code="TU", name="Tỉnh ủy", parent=str(middle.id)
    )
    assert status == 400
    assert "the parents of 'TU' form a loop" in html.unescape(page)
    assert "vòng lặp" not in page
    bad = "units:\n  - code: A\n    name: Ban A\n    parent: KHONGCO\n"
    refused = client.post(
        "/quan-tri/don-vi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/don-vi"),
            "file": (io.BytesIO(bad.encode()), "don-vi.yaml"),
        },
        content_type="multipart/form-data",
    )
    body = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "don-vi.yaml, line 2: unit 'A' has a parent 'KHONGCO'" in body, body
    assert "không có trong danh mục" not in body
    # A workbook's place names its sheet in the reader's language too.
    book = workbook_bytes([("Mã", "Tên"), ("A", "Ban A"), ("A", "Ban B")])
    refused = client.post(
        "/quan-tri/don-vi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/don-vi"),
            "file": (io.BytesIO(book), "don-vi.xlsx"),
        },
        content_type="multipart/form-data",
    )
    body = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "don-vi.xlsx, sheet 'Đơn vị', line 3:" in body, body
    assert "trang" not in body and "dòng" not in body
