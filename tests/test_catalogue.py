"""Every message the code can show has its English in the catalogue: the English interface
never falls back to Vietnamese halfway through a page."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "tracker" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _untranslated(template: Path) -> list[str]:
    with template.open("rb") as handle:
        extracted = read_po(handle)
    with CATALOGUE.open("rb") as handle:
        english = read_po(handle)
    missing = []
    for message in extracted:
        if not message.id:
            continue
        entry = english.get(message.id)
        strings = entry.string if entry is not None else ""
        translated = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        # A count shown with ngettext needs both English forms ("1 task" / "3 tasks").
        plural_kept = entry is not None and (not message.pluralizable or entry.pluralizable)
        if entry is None or not translated or entry.fuzzy or not plural_kept:
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
            missing.append(f"{message.id!r} ({where})")
    return missing


def test_every_message_has_its_english(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract",
            "-F", str(ROOT / "tracker" / "translations" / "babel.cfg"),
            "-k", "N_", "-k", "_l", "-o", str(template), str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )  # fmt: skip
    assert _untranslated(template) == []


def test_no_message_is_hidden_inside_an_f_string() -> None:
    """Babel's extractor does not see `_("…")` written inside an f-string: such a message
    would never get its English and nothing would say so."""
    hidden = []
    for folder in ("tracker", "bots"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Name)
                        and inner.func.id in {"_", "N_", "_l", "gettext", "ngettext"}
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []
