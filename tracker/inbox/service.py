"""Reading the inbox: a person's entries, the unread count, marking read and dismissing.

Every function works on the actor's own entries only: another person's entry is "not found"
(whether it exists or not), and nothing changes. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.errors import N_, NotFound
from tracker.inbox.models import InboxEntry
from tracker.pagination import PER_PAGE, fetch_page


@dataclass(frozen=True)
class Page:
    entries: list[InboxEntry]
    has_more: bool


def unread_count(session: Session, *, user_id: int) -> int:
    """Unread entries (dismissed ones are read): one indexed count for the header."""
    return int(
        session.exec(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.user_id == user_id, col(InboxEntry.read_at).is_(None))
        ).one()
    )


def entries(session: Session, *, actor: User, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """A page of the actor's entries not dismissed, newest first."""
    rows, has_more = fetch_page(
        session,
        select(InboxEntry)
        .where(InboxEntry.user_id == actor.id, col(InboxEntry.dismissed_at).is_(None))
        .order_by(col(InboxEntry.id).desc()),
        page=page,
        per_page=per_page,
    )
    return Page(rows, has_more)


def own_entry(session: Session, *, actor: User, entry_id: int) -> InboxEntry:
    """The actor's entry, or "not found" (someone else's entry is not theirs to see)."""
    entry = session.get(InboxEntry, entry_id)
    if entry is None or entry.user_id != actor.id:
        raise NotFound(N_("Không tìm thấy mục này trong hộp thư của bạn."))
    return entry


def mark_read(session: Session, *, actor: User, entry_id: int, now: datetime) -> InboxEntry:
    entry = own_entry(session, actor=actor, entry_id=entry_id)
    if entry.read_at is None:
        entry.read_at = now
        session.add(entry)
        session.flush()
    return entry


def dismiss(session: Session, *, actor: User, entry_id: int, now: datetime) -> InboxEntry:
    """Out of the list for good (kept in the database); a dismissed entry counts as read."""
    entry = own_entry(session, actor=actor, entry_id=entry_id)
    entry.read_at = entry.read_at or now
    entry.dismissed_at = entry.dismissed_at or now
    session.add(entry)
    session.flush()
    return entry


def mark_all_read(session: Session, *, actor: User, now: datetime) -> int:
    """Every unread entry of the actor read; returns how many."""
    result = session.execute(
        update(InboxEntry)
        .where(col(InboxEntry.user_id) == actor.id, col(InboxEntry.read_at).is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
