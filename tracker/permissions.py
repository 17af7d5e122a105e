"""Who may do what: every permission rule of the product, as small functions.

Services call these before they change anything; views use them only to decide what to show.
`scope` is the set of unit ids a unit user answers for (its unit and the units below it).
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
    return user.role in {Role.HEAD, Role.SECRETARY, Role.ADMIN}


def can_view_rollups(user: User) -> bool:
    return user.role in {Role.HEAD, Role.SECRETARY}


def can_view_unit_work(user: User, unit_id: int, scope: Collection[int]) -> bool:
    """See a unit's assignments: everyone above the units, and unit users within their scope."""
    if can_view_all_assignments(user):
        return True
    return user.role == Role.UNIT and unit_id in scope


def can_report_progress(user: User, unit_id: int, scope: Collection[int]) -> bool:
    """Only the unit's own people (or those of a unit above it) report its progress."""
    return user.role == Role.UNIT and unit_id in scope
