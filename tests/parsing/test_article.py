"""News-style text: kind "article", directive clauses as candidate tasks that need review."""

from __future__ import annotations

from datetime import date

import pytest

from tests.parsing.conftest import FIXTURES, SEEDS, require
from tracker.parsing import parse_file


def test_our_article(province) -> None:
    result = parse_file(FIXTURES / "tin-bai-binh-nguyen.txt", province)
    assert result.kind == "article"
    assert (result.issued_on, result.period) == (date(2025, 7, 14), "2025-H2")
    assert all(task.needs_review for task in result.tasks)
    summary = [(t.lead, t.due, t.recurrence) for t in result.tasks]
    assert summary == [
        (["SYT"], date(2025, 12, 31), None),
        (["SYT"], date(2025, 12, 31), None),  # the lead carries over within the sentence
        (["SYT"], date(2025, 12, 31), "monthly"),
        (["HLHPN", "HND", "TD"], date(2025, 11, 30), None),
    ]
    # The report of past results is not a task.
    assert not any("đã phối hợp tốt" in task.text for task in result.tasks)


@pytest.mark.parametrize("number", ["000", "001", "002", "003"])
def test_news_seeds_are_articles(demo_units, number: str) -> None:
    seed = next(require(SEEDS).glob(f"{number}_*.txt"), None)
    if seed is None:
        pytest.skip(f"seed {number} is absent")
    result = parse_file(seed, demo_units)
    assert result.kind == "article"
    assert all(task.needs_review for task in result.tasks)
    assert result.to_json_dict()["tasks"] == [t.to_json_dict() for t in result.tasks]


@pytest.mark.parametrize("number", ["000", "001", "003"])
def test_seeds_with_directions_give_candidates(demo_units, number: str) -> None:
    seed = next(require(SEEDS).glob(f"{number}_*.txt"))
    assert parse_file(seed, demo_units).tasks


def test_seed_000_directions(demo_units) -> None:
    seed = next(require(SEEDS).glob("000_*.txt"))
    tasks = parse_file(seed, demo_units).tasks
    cooperation = next(t for t in tasks if t.text.startswith("Phối hợp với MTTQ"))
    assert cooperation.support == ["MTTQ"]
    assert all("BDVTU" in t.lead for t in tasks)  # "đề nghị các ban dân vận cấp ủy ..."
