"""A province directory and our own notice (from the parser fixtures) for the import tests."""

from pathlib import Path

import pytest
from sqlmodel import Session

from tests.helpers import make_user
from tracker.accounts.models import User
from tracker.units.directory import read_directory
from tracker.units.service import load_directory

FIXTURES = Path(__file__).resolve().parents[1] / "parsing" / "fixtures"
NOTICE = FIXTURES / "tb-binh-nguyen-q3.txt"


@pytest.fixture
def secretary(session: Session) -> User:
    load_directory(
        session, actor=None, directory=read_directory(FIXTURES / "units-binh-nguyen.yaml")
    )
    user = make_user(session, "secretary", username="thuky")
    session.commit()
    return user
