"""Đôn Đốc: tracking the tasks of conclusion notices until they are done."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from tracker.config import Settings


def create_app(settings: Settings | None = None, **overrides: object) -> Flask:
    """Build the web application (imported lazily so `tracker parse` stays light)."""
    from tracker.app import create_app as build

    return build(settings, **overrides)
