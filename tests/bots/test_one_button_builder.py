"""Telegram's buttons are built in one place: `tracker.notify.telegram.inline_keyboard`, from
the channel-free `Button`s of `tracker.notify.buttons` (reminders and the bot's replies alike)."""

import ast
from pathlib import Path

import tracker

ROOT = Path(tracker.__file__).parent.parent
BUILDER = ROOT / "tracker" / "notify" / "telegram.py"
TELEGRAM_TYPES = {"InlineKeyboardButton", "InlineKeyboardMarkup"}


def _builds_telegram_buttons(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in TELEGRAM_TYPES
    ]


def test_only_the_notify_module_builds_telegram_keyboards() -> None:
    builders = {
        str(path.relative_to(ROOT)): lines
        for folder in ("tracker", "bots")
        for path in (ROOT / folder).rglob("*.py")
        if path != BUILDER and (lines := _builds_telegram_buttons(path))
    }
    assert builders == {}
    assert _builds_telegram_buttons(BUILDER)
