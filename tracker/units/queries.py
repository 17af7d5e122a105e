"""The unit tree read from the database: a unit's scope, the units listed for an actor, the
directory as the parser sees it, and the picker's options. Loading a directory file (the writes)
is in tracker/units/service.py."""

from __future__ import annotations

from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.errors import N_, PermissionDenied
from tracker.permissions import can_administer
from tracker.tables import saved_id
from tracker.units.directory import DirectoryGroup, DirectoryUnit, UnitDirectory
from tracker.units.models import Unit, UnitGroup, UnitGroupMember


def unit_scope(session: Session, unit_id: int) -> set[int]:
    """The unit and every unit below it in the tree (one recursive query)."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return set(session.exec(select(tree.c.id)).all())


def list_units(session: Session, *, actor: User) -> list[tuple[Unit, Unit | None]]:
    """Every unit with its parent, ordered by code, for the admin page."""
    if not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới quản lý danh mục đơn vị."))
    units = session.exec(select(Unit).order_by(Unit.code)).all()
    by_id = {unit.id: unit for unit in units}
    return [(unit, by_id.get(unit.parent_id)) for unit in units]


def directory_from_db(session: Session) -> UnitDirectory:
    """The active directory as the parser takes it (the parser never touches the database)."""
    units = session.exec(
        select(Unit).where(col(Unit.is_active).is_(True)).order_by(Unit.code)
    ).all()
    codes = {unit.id: unit.code for unit in units}
    members: dict[int, list[str]] = {}
    for member in session.exec(select(UnitGroupMember)).all():
        if member.unit_id in codes:
            members.setdefault(member.group_id, []).append(codes[member.unit_id])
    groups = session.exec(select(UnitGroup).order_by(UnitGroup.code)).all()
    return UnitDirectory(
        units=tuple(
            DirectoryUnit(unit.code, unit.name, tuple(unit.aliases), codes.get(unit.parent_id))
            for unit in units
        ),
        groups=tuple(
            DirectoryGroup(
                group.code,
                group.name,
                tuple(group.aliases),
                tuple(sorted(members.get(saved_id(group), []))),
            )
            for group in groups
            if members.get(saved_id(group))
        ),
    )


def picker_options(session: Session) -> tuple[list[UnitGroup], list[Unit], dict[int, list[int]]]:
    """Groups, active units and each group's member ids: what the unit pickers offer."""
    groups = list(session.exec(select(UnitGroup).order_by(UnitGroup.name)).all())
    units = list(
        session.exec(select(Unit).where(col(Unit.is_active).is_(True)).order_by(Unit.name)).all()
    )
    members: dict[int, list[int]] = {}
    for member in session.exec(select(UnitGroupMember)).all():
        members.setdefault(member.group_id, []).append(member.unit_id)
    return groups, units, members
