"""Who may do what: every permission rule of the product, as small functions.

Services call these before they change anything; views use them only to decide what to show.
"""

from __future__ import annotations

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


def can_work_for_a_unit(user: User) -> bool:
    """A unit's own account: sees and reports on its unit's work."""
    return user.role == Role.UNIT and user.unit_id is not None
