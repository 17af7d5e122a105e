"""One unit or one group created or edited on the web, by the same rules as a directory file.

The directory as it would be after the change goes through `check_directory`, the function
that checks YAML files and Excel sheets: a form cannot make what a file could not. A unit is
never deleted (history and assignments point to it); it is taken out of use instead. A form
drawn before someone else's save is refused rather than overwriting that save.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied, StaleUpdate
from tracker.permissions import can_administer
from tracker.units.directory import (
    DirectoryError,
    DirectoryGroup,
    DirectoryUnit,
    check_directory,
)
from tracker.units.models import Unit, UnitGroup, UnitGroupMember

FORM_SOURCE = "biểu mẫu"


@dataclass(frozen=True)
class UnitFields:
    """What the unit form sends."""

    code: str
    name: str
    aliases: tuple[str, ...]
    parent_id: int | None
    is_active: bool


@dataclass(frozen=True)
class GroupFields:
    """What the group form sends."""

    code: str
    name: str
    aliases: tuple[str, ...]
    member_ids: tuple[int, ...]


def clean_text(text: str) -> str:
    return " ".join((text or "").split())


def clean_aliases(lines: Iterable[str], name: str) -> tuple[str, ...]:
    """One alias a line, spaces tidied, blanks, repeats and the name itself dropped."""
    kept = [clean_text(line) for line in lines]
    return tuple(dict.fromkeys(alias for alias in kept if alias and alias != name))


def stamp_of(row: Unit | UnitGroup) -> str:
    """The version a form carries: when the row was last saved."""
    return row.updated_at.isoformat()


def _require_admin(actor: User) -> None:
    if not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới quản lý danh mục đơn vị."))


# One key for the whole directory: a name is checked against every unit and group.
_DIRECTORY_LOCK_KEY = 0x44_6F_6E_44  # "DonD"


def lock_directory(session: Session) -> None:
    """Hold the directory until the transaction ends, so that of two changes made at the same
    moment (two admins, a file load) the second is checked against the first. Names have no
    unique index (they are compared by their folded words), so this lock is what keeps them
    apart."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DIRECTORY_LOCK_KEY})
    else:
        # SQLite has one write lock for the database: a write that touches no row takes it, and
        # the reads of the check that follows see what was committed before.
        session.execute(
            update(UnitGroup).where(col(UnitGroup.id) == -1).values(code=UnitGroup.code)
        )


def check_after_change(
    session: Session,
    *,
    units: Iterable[DirectoryUnit] = (),
    groups: Iterable[DirectoryGroup] = (),
    replaced_unit_ids: Iterable[int] = (),
    replaced_group_ids: Iterable[int] = (),
    by_code: bool = False,
    inactive: Iterable[str] = (),
    source: str,
) -> None:
    """Check the whole directory as it would be with `units` and `groups` in place of the rows
    they replace (those of the given ids; with `by_code`, those of the same code, as a file
    load updates them): every rule, against every unit already there. `inactive`: codes among
    `units` that are out of use. Takes the directory's lock first (see `lock_directory`)."""
    lock_directory(session)
    units, groups = list(units), list(groups)
    replaced_units, replaced_groups = set(replaced_unit_ids), set(replaced_group_ids)
    given_units = {unit.code for unit in units} if by_code else set()
    given_groups = {group.code for group in groups} if by_code else set()
    rows = session.exec(select(Unit).order_by(col(Unit.id))).all()
    code_by_id = {row.id: row.code for row in rows}
    kept = [row for row in rows if row.id not in replaced_units and row.code not in given_units]
    out_of_use = {row.code for row in kept if not row.is_active} | set(inactive)
    merged_units = [
        DirectoryUnit(row.code, row.name, tuple(row.aliases), code_by_id.get(row.parent_id))
        for row in kept
    ] + units
    members: dict[int, list[str]] = {}
    for member in session.exec(select(UnitGroupMember)).all():
        members.setdefault(member.group_id, []).append(code_by_id[member.unit_id])
    merged_groups = [
        DirectoryGroup(row.code, row.name, tuple(row.aliases), tuple(members.get(row.id or 0, [])))
        for row in session.exec(select(UnitGroup).order_by(col(UnitGroup.id))).all()
        if row.id not in replaced_groups and row.code not in given_groups
    ] + groups
    check_directory(
        tuple(merged_units),
        tuple(merged_groups),
        [None] * len(merged_units),
        [None] * len(merged_groups),
        source,
        inactive=out_of_use,
        focus={unit.code for unit in units} | {group.code for group in groups},
    )


def _refuse(problem: DirectoryError) -> InvalidInput:
    return InvalidInput(
        N_("Không lưu được: {problem}. Sửa lại rồi lưu; chưa có gì thay đổi."),
        problem=problem.translated(with_place=False),
    )


def _claim(session: Session, model: Any, row: Unit | UnitGroup, stamp: str | None) -> None:
    """Refuse a form drawn before the last save; then take the row in one conditional UPDATE,
    so of two saves from the same old form (two tabs, two admins) only the first goes through."""
    message = N_(
        "Người khác vừa sửa mục này sau khi anh/chị mở trang. Tải lại trang để xem bản mới "
        "nhất rồi sửa lại; chưa có gì thay đổi."
    )
    if stamp != stamp_of(row):
        raise StaleUpdate(message)
    # Never the same stamp twice, even under a frozen clock (a replay of past days).
    new_stamp = max(utcnow(), row.updated_at + timedelta(microseconds=1))
    claimed = session.execute(
        update(model)
        .where(col(model.id) == row.id, col(model.updated_at) == row.updated_at)
        .values(updated_at=new_stamp)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleUpdate(message)
    session.refresh(row)


def _flush_code(session: Session, code: str) -> None:
    """Write the row; a code someone else took meanwhile (two admins at once) is refused in
    words, like any duplicate code, instead of failing on the unique index."""
    try:
        session.flush()
    except IntegrityError:
        raise InvalidInput(
            N_(
                "Mã '{code}' vừa được dùng cho đơn vị hoặc nhóm khác. Chọn mã khác; "
                "chưa có gì thay đổi."
            ),
            code=code,
        ) from None


def save_unit(
    session: Session, *, actor: User, unit_id: int | None, fields: UnitFields, stamp: str | None
) -> Unit:
    """Create a unit (unit_id None) or change one; audited as the directory file's load is."""
    _require_admin(actor)
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit_id is not None and unit is None:
        raise NotFound(N_("Không tìm thấy đơn vị này."))
    entry, parent = _form_entry(session, fields)
    name = entry.name
    wanted: dict[str, Any] = {
        "code": entry.code,
        "name": name,
        "aliases": list(entry.aliases),
        "parent": entry.parent,
        "is_active": fields.is_active,
    }
    try:
        check_after_change(
            session,
            units=[entry],
            replaced_unit_ids=[unit.id] if unit and unit.id else [],
            inactive=[] if fields.is_active else [entry.code],
            source=FORM_SOURCE,
        )
    except DirectoryError as problem:
        raise _refuse(problem) from None
    if unit is None:
        unit = Unit(code=entry.code, name=name)
        changes: dict[str, list[Any]] = {key: [None, value] for key, value in wanted.items()}
    else:
        _claim(session, Unit, unit, stamp)
        before = {
            "code": unit.code,
            "name": unit.name,
            "aliases": list(unit.aliases),
            "parent": parent_code(session, unit),
            "is_active": unit.is_active,
        }
        changes = audit.diff(before, wanted)
        if not changes:
            return unit
    unit.code, unit.name, unit.aliases = entry.code, name, list(entry.aliases)
    unit.parent_id, unit.is_active = (parent.id if parent else None), fields.is_active
    unit.updated_at = max(utcnow(), unit.updated_at)
    session.add(unit)
    _flush_code(session, entry.code)
    audit.record(
        session,
        actor=actor,
        action="unit.created" if unit_id is None else "unit.updated",
        entity_type="unit",
        entity_id=unit.id,
        changes=changes,
    )
    session.flush()
    return unit


def _form_entry(session: Session, fields: UnitFields) -> tuple[DirectoryUnit, Unit | None]:
    """The form's unit as a directory entry (cleaned), with its parent unit if one is chosen."""
    name = clean_text(fields.name)
    parent = session.get(Unit, fields.parent_id) if fields.parent_id is not None else None
    if fields.parent_id is not None and parent is None:
        raise InvalidInput(N_("Đơn vị cấp trên đã chọn không còn trong danh mục. Chọn lại."))
    entry = DirectoryUnit(
        clean_text(fields.code),
        name,
        clean_aliases(fields.aliases, name),
        parent.code if parent else None,
    )
    return entry, parent


def parent_code(session: Session, unit: Unit) -> str | None:
    parent = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    return parent.code if parent else None


def group_member_ids(session: Session, group_id: int) -> list[int]:
    return [
        member.unit_id
        for member in session.exec(
            select(UnitGroupMember).where(UnitGroupMember.group_id == group_id)
        ).all()
    ]


def save_group(
    session: Session,
    *,
    actor: User,
    group_id: int | None,
    fields: GroupFields,
    stamp: str | None,
) -> UnitGroup:
    """Create a group (group_id None) or change its name, aliases or members; audited."""
    _require_admin(actor)
    group = session.get(UnitGroup, group_id) if group_id is not None else None
    if group_id is not None and group is None:
        raise NotFound(N_("Không tìm thấy nhóm đơn vị này."))
    units = session.exec(select(Unit).where(col(Unit.id).in_(set(fields.member_ids)))).all()
    if len(units) != len(set(fields.member_ids)):
        raise InvalidInput(N_("Có đơn vị đã chọn không còn trong danh mục. Tải lại trang."))
    name = clean_text(fields.name)
    members = sorted(unit.code for unit in units)
    entry = DirectoryGroup(
        clean_text(fields.code), name, clean_aliases(fields.aliases, name), tuple(members)
    )
    try:
        check_after_change(
            session,
            groups=[entry],
            replaced_group_ids=[group.id] if group and group.id else [],
            source=FORM_SOURCE,
        )
    except DirectoryError as problem:
        raise _refuse(problem) from None
    wanted = {"code": entry.code, "name": name, "aliases": list(entry.aliases), "members": members}
    if group is None:
        group = UnitGroup(code=entry.code, name=name)
        changes: dict[str, list[Any]] = {key: [None, value] for key, value in wanted.items()}
        current: list[int] = []
    else:
        _claim(session, UnitGroup, group, stamp)
        current = group_member_ids(session, group.id or 0)
        changes = audit.diff(_group_as_stored(session, group, current), wanted)
        if not changes:
            return group
    group.code, group.name, group.aliases = entry.code, name, list(entry.aliases)
    group.updated_at = max(utcnow(), group.updated_at)
    session.add(group)
    _flush_code(session, entry.code)
    _replace_members(session, group.id or 0, current, [unit.id or 0 for unit in units])
    audit.record(
        session,
        actor=actor,
        action="unit_group.created" if group_id is None else "unit_group.updated",
        entity_type="unit_group",
        entity_id=group.id,
        changes=changes,
    )
    session.flush()
    return group


def delete_group(session: Session, *, actor: User, group_id: int, stamp: str | None) -> str:
    """Remove a group (its units stay as they are); returns its name. Notices already read
    keep their units; the history row keeps the whole group, so nothing a review needs is
    lost. A form drawn before the group's last change is refused."""
    _require_admin(actor)
    group = session.get(UnitGroup, group_id)
    if group is None:
        raise NotFound(N_("Không tìm thấy nhóm đơn vị này."))
    _claim(session, UnitGroup, group, stamp)
    members = group_member_ids(session, group_id)
    removed = _group_as_stored(session, group, members)
    _replace_members(session, group_id, members, [])
    session.flush()
    session.delete(group)
    audit.record(
        session,
        actor=actor,
        action="unit_group.deleted",
        entity_type="unit_group",
        entity_id=group_id,
        changes={key: [value, None] for key, value in removed.items()},
    )
    session.flush()
    return group.name


def _group_as_stored(session: Session, group: UnitGroup, member_ids: list[int]) -> dict[str, Any]:
    """The group's fields and member codes before the change, as the history row compares them."""
    codes = {unit.id: unit.code for unit in session.exec(select(Unit)).all()}
    return {
        "code": group.code,
        "name": group.name,
        "aliases": list(group.aliases),
        "members": sorted(codes[unit_id] for unit_id in member_ids),
    }


def _replace_members(
    session: Session, group_id: int, current: list[int], wanted: list[int]
) -> None:
    for member in session.exec(
        select(UnitGroupMember).where(
            UnitGroupMember.group_id == group_id,
            col(UnitGroupMember.unit_id).not_in(wanted),
        )
    ).all():
        session.delete(member)
    for unit_id in sorted(set(wanted) - set(current)):
        session.add(UnitGroupMember(group_id=group_id, unit_id=unit_id))


def list_groups(session: Session, *, actor: User) -> list[tuple[UnitGroup, list[Unit]]]:
    """Every group with its member units, by name, for the admin page."""
    _require_admin(actor)
    units = {unit.id: unit for unit in session.exec(select(Unit)).all()}
    members: dict[int, list[Unit]] = {}
    for member in session.exec(select(UnitGroupMember)).all():
        members.setdefault(member.group_id, []).append(units[member.unit_id])
    groups = session.exec(select(UnitGroup).order_by(col(UnitGroup.name))).all()
    return [
        (group, sorted(members.get(group.id or 0, []), key=lambda unit: unit.name))
        for group in groups
    ]
