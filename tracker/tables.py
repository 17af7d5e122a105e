"""Typed access to what SQLModel leaves untyped: a table model's Core table, a saved row's id,
and selects of more entities than its `select()` is typed for."""

from __future__ import annotations

from typing import Any, Protocol, cast

from sqlalchemy import Table
from sqlmodel import SQLModel
from sqlmodel.sql.expression import Select


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements written against the table."""
    # SQLModel sets `__table__` on every `table=True` model without declaring it.
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def select_many(*entities: Any) -> Select[*tuple[Any, ...]]:
    """`sqlmodel.select(*entities)` for two entities or more, typed as such.

    sqlmodel types `select()` for at most four entities (and not for a list of them); this
    builds the same statement as `select()` does for two or more, rows typed as tuples.
    """
    if len(entities) < 2:
        raise TypeError("select_many() takes two entities or more; use select() for one")
    return Select(*entities)


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
