"""A small province for the assignment tests: a district with a commune, another unit."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import Assignment
from tracker.db import clock_at
from tracker.notices.models import TaskUnit
from tracker.units.models import Unit

TODAY = date(2021, 5, 10)
DUE = date(2021, 6, 30)


@dataclass
class World:
    district: Unit
    commune: Unit
    other: Unit
    district_user: User
    commune_user: User
    other_user: User
    secretary: User
    head: User
    assignment: Assignment


@pytest.fixture
def world(session: Session) -> World:
    # Published on 04/01/2021, so that the figures of any day in 2021 count it.
    with clock_at(datetime(2021, 1, 4, 2, tzinfo=UTC)):
        district = make_unit(session, "HUYEN", "Ban Dân vận Huyện ủy Sông Lam")
        commune = make_unit(session, "XA", "Đảng ủy xã Tân Phú", parent=district)
        other = make_unit(session, "HND", "Hội Nông dân tỉnh")
        secretary = make_user(session, "secretary", username="thuky")
        world = World(
            district=district,
            commune=commune,
            other=other,
            district_user=make_user(session, "unit", unit=district, username="huyen"),
            commune_user=make_user(session, "unit", unit=commune, username="xa"),
            other_user=make_user(session, "unit", unit=other, username="nongdan"),
            secretary=secretary,
            head=make_user(session, "head", username="lanhdao"),
            assignment=make_assignment(
                session,
                make_notice(session, by=secretary),
                district,
                due=DUE,
                text="Nắm tình hình dư luận ở các địa bàn giải phóng mặt bằng",
            ),
        )
        session.add(TaskUnit(task_id=world.assignment.task_id, unit_id=district.id, role="lead"))
        session.add(TaskUnit(task_id=world.assignment.task_id, unit_id=other.id, role="support"))
        session.commit()
    return world


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "uploads")
