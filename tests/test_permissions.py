"""Every permission rule as a table of (role, rule, expected)."""

import pytest

from tracker import permissions
from tracker.accounts.models import User


def user(role: str) -> User:
    return User(
        id=1,
        username=role,
        full_name=role,
        role=role,
        password_hash="x",
        unit_id=10 if role == "unit" else None,
    )


@pytest.mark.parametrize(
    ("role", "rule", "expected"),
    [
        ("admin", permissions.can_administer, True),
        ("head", permissions.can_administer, False),
        ("secretary", permissions.can_administer, False),
        ("unit", permissions.can_administer, False),
        ("secretary", permissions.can_manage_notices, True),
        ("head", permissions.can_manage_notices, False),
        ("admin", permissions.can_manage_notices, False),
        ("unit", permissions.can_manage_notices, False),
        ("secretary", permissions.can_decide_extensions, True),
        ("head", permissions.can_decide_extensions, True),
        ("unit", permissions.can_decide_extensions, False),
        ("admin", permissions.can_decide_extensions, False),
        ("head", permissions.can_view_rollups, True),
        ("secretary", permissions.can_view_rollups, True),
        ("unit", permissions.can_view_rollups, False),
        ("head", permissions.can_view_all_assignments, True),
        ("unit", permissions.can_view_all_assignments, False),
        ("admin", permissions.can_view_all_assignments, False),
        ("secretary", permissions.can_view_draft_notices, True),
        ("head", permissions.can_view_draft_notices, False),
        ("admin", permissions.can_view_draft_notices, False),
        ("unit", permissions.can_work_for_a_unit, True),
        ("head", permissions.can_work_for_a_unit, False),
        ("admin", permissions.can_work_for_a_unit, False),
        ("head", permissions.can_manage_reviews, True),
        ("secretary", permissions.can_manage_reviews, True),
        ("unit", permissions.can_manage_reviews, False),
        ("admin", permissions.can_manage_reviews, False),
        ("head", permissions.can_freeze_reviews, True),
        ("secretary", permissions.can_freeze_reviews, False),
        ("unit", permissions.can_freeze_reviews, False),
        ("head", permissions.can_request_explanations, True),
        ("secretary", permissions.can_request_explanations, False),
        ("unit", permissions.can_request_explanations, False),
    ],
)
def test_role_rules(role: str, rule, expected: bool) -> None:  # type: ignore[no-untyped-def]
    assert rule(user(role)) is expected


SCOPE = {10, 11}


@pytest.mark.parametrize(
    ("role", "unit_id", "support", "can_view", "can_change"),
    [
        ("unit", 10, [], True, True),  # its own unit
        ("unit", 11, [], True, True),  # a unit below it
        ("unit", 99, [], False, False),  # another unit's work
        ("unit", 99, [11], True, False),  # a task it supports: read and comment only
        ("head", 99, [], True, False),  # sees everything, reports nothing
        ("secretary", 99, [], True, False),
        # The admin runs directory, accounts and channels (design's role table): no unit's work.
        ("admin", 99, [], False, False),
    ],
)
def test_assignment_rules(
    role: str, unit_id: int, support: list[int], can_view: bool, can_change: bool
) -> None:
    actor = user(role)
    assert (
        permissions.can_view_assignment(
            actor, unit_id=unit_id, support_unit_ids=support, scope=SCOPE
        )
        is can_view
    )
    assert permissions.can_change_assignment(actor, unit_id=unit_id, scope=SCOPE) is can_change


@pytest.mark.parametrize(
    ("role", "unit_id", "expected"),
    [
        ("unit", 10, True),  # its own unit's overdue work
        ("unit", 11, True),  # a unit below it
        ("unit", 99, False),  # another unit's
        ("head", 10, False),  # the head asks; only the unit answers
        ("secretary", 10, False),
    ],
)
def test_explanation_answer_rule(role: str, unit_id: int, expected: bool) -> None:
    actor = user(role)
    assert permissions.can_answer_explanation(actor, unit_id=unit_id, scope=SCOPE) is expected
