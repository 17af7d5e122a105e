"""The one paginator: pages of 50 rows, newest first, "newer / older" links (?trang=N)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

PER_PAGE = 50
PARAMETER = "trang"
# Bounded input: a page number nobody reaches by clicking would only make the database skip
# millions of rows.
MAX_PAGE = 10_000


def page_number(args: Mapping[str, str]) -> int:
    """The page asked for in the query string; 1 when absent or not a sensible number."""
    raw = args.get(PARAMETER, "")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 1
    return min(max(number, 1), MAX_PAGE)


def fetch_page(
    session: Session, statement: Any, *, page: int, per_page: int = PER_PAGE
) -> tuple[list[Any], bool]:
    """The rows of page `page` of an ordered `statement`, and whether another page follows
    (one row more is read to know, no count)."""
    page = min(max(page, 1), MAX_PAGE)
    rows = session.exec(statement.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return list(rows[:per_page]), len(rows) > per_page
