"""The low-level modules stay below the features: the database helpers, the working-day
calendar and the senders import no feature package, so a feature can use them without the
import graph looping back into another feature.

A feature is any package directly under tracker/ other than tracker.notify (accounts,
assignments, chat, inbox, notices, reminders, rollups, units, ...). No exception for
tracker.accounts.models: the Zalo sender used to read the person's name from it, and now the
dispatcher hands the name over with the message instead."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tracker"
LOW_LEVEL = [ROOT / "db.py", ROOT / "workdays.py", *sorted((ROOT / "notify").rglob("*.py"))]
FEATURES = sorted(
    f"tracker.{path.parent.name}"
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name != "notify"
)


def imported_modules(source: str) -> set[str]:
    """Every module a source imports, at any depth (inside functions and TYPE_CHECKING too);
    `from tracker import reminders` counts as tracker.reminders."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def features_imported(source: str) -> set[str]:
    return {
        feature
        for module in imported_modules(source)
        for feature in FEATURES
        if module == feature or module.startswith(feature + ".")
    }


def test_the_feature_list_is_the_tree() -> None:
    assert {"tracker.reminders", "tracker.chat", "tracker.accounts"} <= set(FEATURES)
    assert "tracker.notify" not in FEATURES


def test_a_feature_import_is_caught_however_written() -> None:
    source = (
        "from tracker.db import utcnow\n"
        "from tracker import reminders\n"
        "def later():\n"
        "    import tracker.chat.models\n"
        "    from tracker.accounts.models import User\n"
    )
    assert features_imported(source) == {"tracker.reminders", "tracker.chat", "tracker.accounts"}


@pytest.mark.parametrize("path", LOW_LEVEL, ids=lambda path: str(path.relative_to(ROOT)))
def test_low_level_module_imports_no_feature(path: Path) -> None:
    assert features_imported(path.read_text(encoding="utf-8")) == set()
