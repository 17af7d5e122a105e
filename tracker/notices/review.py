"""Review state of a draft task: why it still needs the secretary's look, and when the
reader's doubt is settled. One place for the rule; the editor and the confirmation use it."""

from __future__ import annotations

from tracker.errors import N_
from tracker.notices.models import Task

NO_LEAD = N_("Chưa có đơn vị chủ trì: chọn đơn vị.")
NO_DUE = N_("Chưa có hạn hoàn thành: nhập hạn.")
UNSURE = N_("Máy đọc chưa chắc chắn về đơn vị hoặc hạn: xem lại rồi đánh dấu “đã kiểm tra”.")


def review_reasons(task: Task, *, has_lead: bool) -> list[str]:
    """Why a draft task still needs the secretary's look; empty when it does not.

    Missing lead or due date cannot be ticked away (publishing needs them); the reader's
    warnings stay until the secretary changes the row or ticks "đã kiểm tra"."""
    reasons = [] if has_lead else [NO_LEAD]
    reasons += [] if task.due is not None else [NO_DUE]
    reasons += list(task.warnings)
    if task.needs_review and not reasons:
        reasons.append(UNSURE)
    return reasons


def still_in_doubt(task: Task, *, changed: bool, reviewed: bool) -> bool:
    """Whether the reader's doubt about a saved row stands: the secretary's edit of the row's
    units, due date or text, or the tick "đã kiểm tra", settles it."""
    return (task.needs_review or bool(task.warnings)) and not (changed or reviewed)
