"""Loading a unit directory file into the database: units and groups created or updated by code,
each change recorded in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from tracker.accounts.models import User
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.errors import N_, PermissionDenied
from tracker.permissions import can_administer
from tracker.tables import saved_id
from tracker.units.directory import DirectoryUnit, UnitDirectory
from tracker.units.editing import check_after_change
from tracker.units.models import Unit, UnitGroup, UnitGroupMember


@dataclass
class LoadSummary:
    """What loading a directory changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    groups_created: list[str] = field(default_factory=list)
    groups_updated: list[str] = field(default_factory=list)
    # Units in the database but not in the file: kept (history needs them), only reported.
    not_in_file: list[str] = field(default_factory=list)


def load_directory(
    session: Session, *, actor: User | None, directory: UnitDirectory
) -> LoadSummary:
    """Create or update units and groups by code; loading the same file twice changes nothing.
    Raises DirectoryError when the file clashes with units it does not list (a shared name)."""
    if actor is not None and not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới được nạp danh mục đơn vị."))
    # The file was checked on its own when read; now with the units it leaves as they are.
    check_after_change(
        session,
        units=directory.units,
        groups=directory.groups,
        by_code=True,
        source="tệp cùng danh mục hiện có",
    )
    summary = LoadSummary()
    existing = {unit.code: unit for unit in session.exec(select(Unit)).all()}
    for entry in directory.units:
        unit = existing.get(entry.code)
        if unit is None:
            unit = Unit(code=entry.code, name=entry.name, aliases=list(entry.aliases))
            session.add(unit)
            existing[entry.code] = unit
            summary.created.append(entry.code)
    session.flush()
    ids = {code: saved_id(unit) for code, unit in existing.items()}
    code_by_id: dict[int | None, str] = {unit_id: code for code, unit_id in ids.items()}
    for entry in directory.units:
        _load_unit(session, actor, entry, existing[entry.code], ids, code_by_id, summary)
    listed = {entry.code for entry in directory.units}
    summary.not_in_file = sorted(code for code in existing if code not in listed)
    _load_groups(session, actor, directory, ids, summary)
    session.flush()
    return summary


def _load_unit(
    session: Session,
    actor: User | None,
    entry: DirectoryUnit,
    unit: Unit,
    ids: dict[str, int],
    code_by_id: dict[int | None, str],
    summary: LoadSummary,
) -> None:
    """Bring one unit in line with its file entry, with a history row unless nothing changed."""
    wanted = {
        "name": entry.name,
        "aliases": list(entry.aliases),
        "parent": entry.parent,
        "is_active": True,
    }
    current = {
        "name": unit.name,
        "aliases": list(unit.aliases),
        "parent": code_by_id.get(unit.parent_id),
        "is_active": unit.is_active,
    }
    changes = audit.diff(current, wanted)
    if entry.code in summary.created:
        changes = {name: [None, value] for name, value in wanted.items()}
    elif not changes:
        summary.unchanged += 1
        return
    else:
        summary.updated.append(entry.code)
    unit.name = entry.name
    unit.aliases = list(entry.aliases)
    unit.parent_id = ids[entry.parent] if entry.parent else None
    unit.is_active = True
    unit.updated_at = utcnow()
    session.add(unit)
    action = "unit.created" if entry.code in summary.created else "unit.updated"
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="unit",
        entity_id=unit.id,
        changes=changes,
    )


def _load_groups(
    session: Session,
    actor: User | None,
    directory: UnitDirectory,
    unit_ids: dict[str, int],
    summary: LoadSummary,
) -> None:
    groups = {group.code: group for group in session.exec(select(UnitGroup)).all()}
    code_by_id = {unit_id: code for code, unit_id in unit_ids.items()}
    for entry in directory.groups:
        group = groups.get(entry.code)
        created = group is None
        if group is None:
            group = UnitGroup(code=entry.code, name=entry.name, aliases=list(entry.aliases))
            session.add(group)
            session.flush()
        members = session.exec(
            select(UnitGroupMember).where(UnitGroupMember.group_id == group.id)
        ).all()
        current = {
            "name": group.name,
            "aliases": list(group.aliases),
            "members": sorted(code_by_id[member.unit_id] for member in members),
        }
        wanted = {
            "name": entry.name,
            "aliases": list(entry.aliases),
            "members": sorted(entry.members),
        }
        changes = audit.diff({} if created else current, wanted)
        if not changes:
            continue
        group.name, group.aliases, group.updated_at = entry.name, list(entry.aliases), utcnow()
        session.add(group)
        for member in members:
            if code_by_id[member.unit_id] not in entry.members:
                session.delete(member)
        kept = {code_by_id[member.unit_id] for member in members}
        for code in entry.members:
            if code not in kept:
                session.add(UnitGroupMember(group_id=saved_id(group), unit_id=unit_ids[code]))
        (summary.groups_created if created else summary.groups_updated).append(entry.code)
        audit.record(
            session,
            actor=actor,
            action="unit_group.created" if created else "unit_group.updated",
            entity_type="unit_group",
            entity_id=group.id,
            changes=changes,
        )
