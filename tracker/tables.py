"""Typed access to what SQLModel leaves untyped: a table model's Core table, a saved row's id."""

from __future__ import annotations

from typing import Protocol, cast

from sqlalchemy import Table
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements written against the table."""
    # SQLModel sets `__table__` on every `table=True` model without declaring it.
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Row) -> int:
    """`row.id`, which the database has given once the row is flushed or loaded.

    SQLModel types every id as `int | None` because a new row has none until its flush; a
    row without one here is a programming error, not something a person can correct.
    """
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it before using its id")
    return row.id
