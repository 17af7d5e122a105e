"""The search index's database objects, which live outside the SQLModel metadata.

Migration 0009 creates them (an FTS5 table and triggers on SQLite, generated tsvector columns
with GIN indexes on PostgreSQL); Alembic's comparison must neither drop nor report them.
"""

from __future__ import annotations

from typing import Any

SEARCH_VECTOR_COLUMN = "search_vector"
SQLITE_INDEX_TABLE = "search_index"


def is_search_object(name: str | None, type_: str) -> bool:
    """True for the FTS5 table and its shadow tables, the tsvector columns and their indexes."""
    if name is None:
        return False
    if type_ == "table":
        return name == SQLITE_INDEX_TABLE or name.startswith(SQLITE_INDEX_TABLE + "_")
    if type_ == "column":
        return name == SEARCH_VECTOR_COLUMN
    if type_ == "index":
        return name.endswith("_" + SEARCH_VECTOR_COLUMN)
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's include_object hook: leave the search index's objects out of comparisons."""
    return not (reflected and compare_to is None and is_search_object(name, type_))
