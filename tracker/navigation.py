"""The navigation each role sees: only pages the person may open."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.permissions import (
    can_administer,
    can_decide_extensions,
    can_manage_reviews,
    can_view_all_assignments,
    can_view_rollups,
    can_work_for_a_unit,
)

NavItem = tuple[str, object]


def nav_items() -> list[NavItem]:
    """(endpoint, label) pairs for the signed-in user."""
    if not current_user.is_authenticated:
        return []
    items: list[NavItem] = []
    if can_work_for_a_unit(current_user):
        items.append(("dashboard.unit_home", _l("Nhiệm vụ của đơn vị")))
    if can_view_rollups(current_user):
        items.append(("dashboard.head_home", _l("Tổng hợp")))
    if can_manage_reviews(current_user):
        items.append(("reviews.index", _l("Giao ban")))
    if can_view_all_assignments(current_user):
        items.append(("notices.index", _l("Thông báo kết luận")))
        items.append(("lists.all_assignments", _l("Tất cả nhiệm vụ")))
    if can_decide_extensions(current_user):
        items.append(("assignments.pending_extensions", _l("Đề nghị gia hạn")))
    if can_administer(current_user):
        items += [
            ("admin.users", _l("Tài khoản")),
            ("admin.units_page", _l("Đơn vị")),
            ("reminders.messages", _l("Nhắc việc")),
            ("reminders.calendar_page", _l("Lịch làm việc")),
            ("admin.audit_log", _l("Nhật ký thay đổi")),
        ]
    return items
