"""Writing audit events: called by every service that changes something."""

from __future__ import annotations

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


def list_events(
    session: Session, *, actor: User, page: int = 1, per_page: int = PER_PAGE
) -> tuple[list[tuple[AuditEvent, User | None]], bool]:
    """A page of audit events, newest first, with who did each; and whether more remain."""
    if not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới xem được nhật ký thay đổi."))
    return fetch_page(
        session,
        select(AuditEvent, User)
        .join(User, col(AuditEvent.actor_id) == User.id, isouter=True)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc()),
        page=page,
        per_page=per_page,
    )
