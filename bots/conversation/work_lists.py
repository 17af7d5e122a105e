"""The /viec and /quahan lists: a unit's open or overdue work, or the counts for a head."""

from __future__ import annotations

from bots.conversation.replies import Button, Reply, esc, item_buttons
from bots.conversation.turn import Turn
from tracker.accounts.models import User
from tracker.assignments import queries
from tracker.assignments.models import AssignmentStatus
from tracker.assignments.status import CATEGORY_LABELS, Category
from tracker.notify.text import shorten, split_message
from tracker.permissions import can_view_all_assignments, can_work_for_a_unit
from tracker.units.models import Unit
from tracker.vn_dates import vn_date

OPEN_STATUSES = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS)
MAX_LISTED = 30
MAX_BUTTON_ROWS = 10


def work_list(turn: Turn, user: User, *, overdue_only: bool) -> list[Reply]:
    """The person's open (or only overdue) work, with buttons under the unit's own items."""
    if not can_work_for_a_unit(user):
        if not can_view_all_assignments(user):
            return [Reply("Tài khoản của bạn không theo dõi nhiệm vụ nào.")]
        return [_counts(turn, user, overdue_only=overdue_only)]
    return _unit_list(turn, user, overdue_only=overdue_only)


def _counts(turn: Turn, user: User, *, overdue_only: bool) -> Reply:
    # Heads, secretaries and admins report on nothing themselves: counts, and the web for more.
    today = turn.today
    counts = queries.count_by_category(turn.session, actor=user, reference=today)
    web = f"Xem chi tiết trên web: {esc(turn.settings.base_url)}/"
    if overdue_only:
        return Reply(
            f"Quá hạn chưa hoàn thành: <b>{counts[Category.OVERDUE]}</b> nhiệm vụ "
            f"(tính đến {vn_date(today)}).\n{web}"
        )
    return Reply(
        f"Nhiệm vụ đang mở (tính đến {vn_date(today)}):\n"
        f"Đang thực hiện trong hạn: <b>{counts[Category.IN_PROGRESS]}</b>\n"
        f"Chưa triển khai: <b>{counts[Category.NOT_STARTED]}</b>\n"
        f"Quá hạn chưa hoàn thành: <b>{counts[Category.OVERDUE]}</b>\n{web}"
    )


def _unit_list(turn: Turn, user: User, *, overdue_only: bool) -> list[Reply]:
    today = turn.today
    rows = queries.list_unit_assignments(
        turn.session,
        actor=user,
        reference=today,
        filters=queries.UnitFilters(overdue_only=overdue_only),
    )
    rows = [row for row in rows if row.assignment.status in OPEN_STATUSES]
    unit = turn.session.get(Unit, user.unit_id)
    title = "Nhiệm vụ quá hạn" if overdue_only else "Nhiệm vụ đang mở"
    owner = esc(unit.name if unit else "")
    if not rows:
        none = "không có nhiệm vụ nào quá hạn" if overdue_only else "không có nhiệm vụ nào đang mở"
        return [Reply(f"{owner}: {none} (tính đến {vn_date(today)}).")]
    lines = [f"<b>{title} của {owner}</b> ({len(rows)}, tính đến {vn_date(today)}):"]
    rows_of_buttons: list[tuple[Button, ...]] = []
    for number, row in enumerate(rows[:MAX_LISTED], 1):
        a, task = row.assignment, row.task
        link = f'<a href="{esc(turn.settings.base_url)}/nhiem-vu/{a.id}">{esc(task.code)}</a>'
        due = f"hạn {vn_date(a.due)}" if a.due else "chưa có hạn"
        support = " · phối hợp" if row.is_support else ""
        lines.append("")
        lines.append(f"{number}. <b>{link}</b> {esc(shorten(task.text, 140))}")
        lines.append(f"{due} · {CATEGORY_LABELS[row.category]} · {a.percent}%{support}")
        # Only the assigned unit may change an item, so one it merely supports gets no buttons.
        if not row.is_support and len(rows_of_buttons) < MAX_BUTTON_ROWS:
            rows_of_buttons.append(item_buttons(a.id or 0, prefix=str(number)))
    if len(rows) > MAX_LISTED:
        lines.append("")
        lines.append(
            f"… và {len(rows) - MAX_LISTED} nhiệm vụ khác: xem trên web "
            f"{esc(turn.settings.base_url)}/don-vi"
        )
    if rows_of_buttons:
        lines.append("")
        lines.append("Bấm nút theo số thứ tự để báo hoàn thành, báo cáo % hoặc xin gia hạn.")
    parts = split_message("\n".join(lines))
    replies = [Reply(part) for part in parts]
    # The buttons go under the last part, so they follow the whole list.
    replies[-1] = Reply(parts[-1], tuple(rows_of_buttons))
    return replies
