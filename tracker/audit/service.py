"""Writing audit events: called by every service that changes something."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.errors import N_, PermissionDenied
from tracker.pagination import PER_PAGE, fetch_page
from tracker.permissions import can_administer


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session (flushed with the change it describes)."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=_jsonable(changes or {}),
        note=note,
    )
    session.add(event)
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that changed, as {field: [before, after]}."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [convert(item) for item in value]
        if value is None or isinstance(value, str | int | float | bool):
            return value
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    return {name: convert(value) for name, value in changes.items()}


@dataclass(frozen=True)
class EventFilter:
    """What the admin narrows the trail to; days are the users' calendar days in `zone`."""

    actor_id: int | None = None
    by_system: bool = False  # changes no person made (the scheduler, a file load by command)
    action: str | None = None
    # Kinds of change to leave out (the filter's "other kinds": none of the named ones).
    not_actions: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None
    zone: tzinfo = UTC


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def list_events(
    session: Session,
    *,
    actor: User,
    page: int = 1,
    per_page: int = PER_PAGE,
    filters: EventFilter | None = None,
) -> tuple[list[tuple[AuditEvent, User | None]], bool]:
    """A page of audit events, newest first, with who did each; and whether more remain."""
    if not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới xem được nhật ký thay đổi."))
    statement = (
        select(AuditEvent, User)
        .join(User, col(AuditEvent.actor_id) == col(User.id), isouter=True)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
    )
    wanted = filters or EventFilter()
    if wanted.by_system:
        statement = statement.where(col(AuditEvent.actor_id).is_(None))
    elif wanted.actor_id is not None:
        statement = statement.where(col(AuditEvent.actor_id) == wanted.actor_id)
    if wanted.action:
        statement = statement.where(col(AuditEvent.action) == wanted.action)
    if wanted.not_actions:
        statement = statement.where(col(AuditEvent.action).not_in(wanted.not_actions))
    if wanted.since is not None:
        statement = statement.where(
            col(AuditEvent.occurred_at) >= _start_of(wanted.since, wanted.zone)
        )
    if wanted.until is not None:
        next_day = wanted.until + timedelta(days=1)
        statement = statement.where(col(AuditEvent.occurred_at) < _start_of(next_day, wanted.zone))
    return fetch_page(session, statement, page=page, per_page=per_page)


def recorded_actions(session: Session) -> list[str]:
    """Every kind of change the trail holds (for the filter, with those the product knows)."""
    return list(session.exec(select(AuditEvent.action).distinct()).all())
