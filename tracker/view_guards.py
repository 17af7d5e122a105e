"""Decorators that put the permission rules of tracker.permissions in front of views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from tracker.accounts.models import User


def requires(check: Callable[[User], bool]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in, and `check(user)` true; otherwise the login page or 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator
