"""A savepoint's release never commits on its own: the unit of work decides (SQLite too)."""

from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.helpers import make_unit
from tracker.units.models import Unit


def test_work_inside_a_released_savepoint_is_rolled_back_with_its_transaction(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        session.exec(select(Unit)).all()  # a read first, as every service does
        with session.begin_nested():
            make_unit(session, "SP-1", "Đơn vị trong savepoint")
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(Unit).where(Unit.code == "SP-1")).first() is None


def test_work_inside_a_released_savepoint_is_kept_when_the_transaction_commits(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        session.exec(select(Unit)).all()
        with session.begin_nested():
            make_unit(session, "SP-2", "Đơn vị trong savepoint")
        session.commit()
    with Session(engine) as session:
        assert session.exec(select(Unit).where(Unit.code == "SP-2")).first() is not None
