"""Who may do what: every permission rule of the product, as small functions.

Services call these before they change anything; views use them only to decide what to show.
"""

from __future__ import annotations

from collections.abc import Collection

from tracker.accounts.models import Role, User


def can_administer(user: User) -> bool:
    """Manage users, the unit directory and chat channels; read the audit trail."""
    return user.role == Role.ADMIN


def can_manage_notices(user: User) -> bool:
    """Import, correct and publish notices."""
    return user.role == Role.SECRETARY


def can_decide_extensions(user: User) -> bool:
    return user.role in {Role.SECRETARY, Role.HEAD}


def can_view_all_assignments(user: User) -> bool:
    """The board's people: the secretary who follows the work and the head who reviews it.
    The admin runs the directory, accounts and channels (design's role table): no unit's
    assignments, reports or evidence files."""
    return user.role in {Role.HEAD, Role.SECRETARY}


def can_view_draft_notices(user: User) -> bool:
    """A draft is the secretary's work in progress until it is published."""
    return can_manage_notices(user)


def can_view_rollups(user: User) -> bool:
    return user.role in {Role.HEAD, Role.SECRETARY}


def can_work_for_a_unit(user: User) -> bool:
    """A unit's own account: sees and reports on its unit's work."""
    return user.role == Role.UNIT and user.unit_id is not None


def can_view_assignment(
    user: User, *, unit_id: int, support_unit_ids: Collection[int], scope: Collection[int]
) -> bool:
    """Everyone above the units; a unit for its own (and its child units') work; a support
    unit (phối hợp) for the tasks it supports. `scope` is the user's unit and those below it."""
    if can_view_all_assignments(user):
        return True
    if not can_work_for_a_unit(user):
        return False
    return unit_id in scope or any(unit in scope for unit in support_unit_ids)


def can_change_assignment(user: User, *, unit_id: int, scope: Collection[int]) -> bool:
    """Report progress, delegate, ask for more time: only the assigned unit or one above it."""
    return can_work_for_a_unit(user) and unit_id in scope


def can_manage_reviews(user: User) -> bool:
    """Open a quarter review, write its comments per unit, export it."""
    return user.role in {Role.HEAD, Role.SECRETARY}


def can_freeze_reviews(user: User) -> bool:
    """Record a review's figures at the meeting date, for good."""
    return user.role == Role.HEAD


def can_request_explanations(user: User) -> bool:
    """Ask a lagging unit to explain its overdue work (yêu cầu giải trình)."""
    return user.role == Role.HEAD


def can_answer_explanation(user: User, *, unit_id: int, scope: Collection[int]) -> bool:
    """Explain overdue work: the assigned unit or one above it (`scope` as above)."""
    return can_work_for_a_unit(user) and unit_id in scope
