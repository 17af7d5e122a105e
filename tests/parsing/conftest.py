"""Shared fixtures: the public corpus beside the repository, and our own fictional province."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.units.directory import UnitDirectory, read_directory

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = SHARED / "seeds"


def require(path: Path) -> Path:
    """Skip the test, saying why, when the shared folder is not beside the repository."""
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpus lives in ../shared beside the repo)")
    return path


@pytest.fixture(scope="session")
def province() -> UnitDirectory:
    """Our fictional province's unit directory."""
    return read_directory(FIXTURES / "units-binh-nguyen.yaml")


@pytest.fixture(scope="session")
def demo_units() -> UnitDirectory:
    """The corpus's unit directory (skips when the corpus is absent)."""
    return read_directory(require(CORPUS / "units-demo.yaml"))
