"""Assignments are created in one place: every other module calls `create_assignment`."""

import ast
from pathlib import Path

import tracker

TRACKER = Path(tracker.__file__).parent
CREATION = TRACKER / "assignments" / "creation.py"


def _constructs_assignment(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Assignment"
    ]


def test_only_creation_module_builds_assignments() -> None:
    builders = {
        str(path.relative_to(TRACKER)): lines
        for path in TRACKER.rglob("*.py")
        if path != CREATION and (lines := _constructs_assignment(path))
    }
    assert builders == {}
    assert _constructs_assignment(CREATION), "create_assignment builds the row itself"
