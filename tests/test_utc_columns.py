"""Every timestamp column hands back aware UTC on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import DateTime
from sqlmodel import Session, SQLModel, select

import tracker
from tests.helpers import make_unit
from tracker.db import UtcDateTime
from tracker.units.models import Unit


def test_every_timestamp_column_is_utc_datetime() -> None:
    plain = [
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime) and not isinstance(column.type, UtcDateTime)
    ]
    assert plain == []


def test_timestamps_come_back_aware_in_utc(session: Session) -> None:
    hanoi = timezone(timedelta(hours=7))
    unit = make_unit(session, "UTC-1", "Đơn vị thử giờ")
    unit.updated_at = datetime(2026, 3, 1, 8, 30, tzinfo=hanoi)
    session.add(unit)
    session.commit()
    session.expire_all()
    stored = session.exec(select(Unit).where(Unit.code == "UTC-1")).one()
    assert stored.updated_at == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert stored.updated_at.utcoffset() == timedelta(0)
    assert stored.created_at.tzinfo is not None


def test_no_module_fixes_naive_timestamps_on_its_own() -> None:
    """`UtcDateTime` (and `as_utc` for values from outside) is the one place; a copy that
    reads "naive means UTC" elsewhere means a column was declared without it."""
    root = Path(tracker.__file__).parent
    copies = [
        str(path.relative_to(root.parent))
        for folder in (root, root.parent / "bots")
        for path in folder.rglob("*.py")
        if path.name != "db.py" and "replace(tzinfo=UTC)" in path.read_text(encoding="utf-8")
    ]
    assert copies == []
