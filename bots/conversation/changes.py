"""Changes made from the chat: run in a savepoint, a refusal in words, the state after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from bots.conversation.replies import esc
from bots.conversation.turn import Turn
from tracker.accounts.models import User
from tracker.assignments import progress
from tracker.assignments.access import AssignmentContext
from tracker.assignments.asof import category_on
from tracker.assignments.evidence import EvidenceStore, Upload, store_for
from tracker.assignments.models import Assignment, ProgressReport
from tracker.assignments.status import CATEGORY_LABELS
from tracker.config import Settings
from tracker.db import attempt, clock_at
from tracker.errors import DomainError, StaleUpdate
from tracker.notify.text import shorten
from tracker.vn_dates import vn_date

T = TypeVar("T")


def change(
    turn: Turn,
    user: User,
    assignment: Assignment,
    service: Callable[..., T],
    **details: Any,
) -> T | DomainError:
    """Run an assignment service (the one the web calls) for the person writing, in a savepoint.

    What every change from the chat passes alike (who, which assignment, today) is said here
    once; `details` are that service's own arguments.
    """
    # Recorded at the moment of the message, like its `today`: one clock for the whole change.
    with clock_at(turn.now):
        return attempt(
            turn.session,
            lambda: service(
                turn.session,
                actor=user,
                assignment_id=assignment.id or 0,
                today=turn.today,
                **details,
            ),
        )


def report(
    turn: Turn,
    user: User,
    assignment: Assignment,
    *,
    status: str,
    percent: int,
    note: str,
    uploads: list[Upload] | None = None,
) -> ProgressReport | DomainError:
    """A progress report from the chat (the "done" button, a percent typed in answer, or files
    sent as evidence), checked against the version the person was shown."""
    return change(
        turn,
        user,
        assignment,
        progress.report_progress,
        expected_version=assignment.version,
        status=status,
        percent=percent,
        note=note,
        uploads=uploads or [],
        store=evidence_store(turn.settings),
    )


def refusal_message(error: DomainError) -> str:
    """The refusal as the person should read it (plain text)."""
    if isinstance(error, StaleUpdate):
        return "Nhiệm vụ vừa được người khác cập nhật. Thử lại để ghi theo thông tin mới nhất."
    return error.template.format(**error.params) if error.params else error.template


def evidence_store(settings: Settings) -> EvidenceStore:
    """Where reports keep their files: the web's store, with the web's checks."""
    return store_for(settings)


def state_text(context: AssignmentContext, today: date) -> str:
    """The assignment and where it stands, to confirm a change."""
    a, task = context.assignment, context.task
    due = f" · hạn {vn_date(a.due)}" if a.due else ""
    # Just changed, so its state in force today is the stored one: the same rule as every figure.
    category = category_on(a.status, a.due, a.completed_on, today)
    return (
        f"<b>{esc(task.code)}</b> {esc(shorten(task.text, 140))}\n"
        f"Tình trạng: {CATEGORY_LABELS[category]} · {a.percent}%{due}"
    )
