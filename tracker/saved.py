"""The id of a row already in the database, for code that only sees rows after a flush."""

from __future__ import annotations

from typing import Protocol


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
