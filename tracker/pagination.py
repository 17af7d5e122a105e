"""The one paginator: pages of 50 rows, newest first, "newer / older" links (?trang=N, read
by `tracker.inputs.page_arg`; the links are templates/_pager.html)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

PER_PAGE = 50


def fetch_page(
    session: Session, statement: Any, *, page: int, per_page: int = PER_PAGE
) -> tuple[list[Any], bool]:
    """The rows of page `page` of an ordered `statement`, and whether another page follows
    (one row more is read to know, no count)."""
    page = max(page, 1)
    rows = session.exec(statement.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return list(rows[:per_page]), len(rows) > per_page
