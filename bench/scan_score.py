"""Scoring a parse against a golden the way the scans' README describes it.

Task codes are matched (F1); among the expected tasks, the share whose lead, support, due and
recurrence are right. One figure sums it up: the mean of F1 and the four shares. Used by
bench/parse_scans.py and by tests/parsing/test_scans.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIELDS = ("lead", "support", "due", "recurrence")


@dataclass
class Score:
    expected: int
    found: int
    matched: int
    f1: float
    fields: dict[str, float]

    @property
    def overall(self) -> float:
        return (self.f1 + sum(self.fields.values())) / (1 + len(self.fields))


def score(actual: dict[str, Any], golden: dict[str, Any]) -> Score:
    """How close a parse's JSON is to a golden's tasks."""
    want = {task["code"]: task for task in golden["tasks"]}
    got = {task["code"]: task for task in actual["tasks"]}
    matched = [code for code in want if code in got]
    precision = len(matched) / len(got) if got else 0.0
    recall = len(matched) / len(want) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if not want and not got:
        f1 = 1.0
    fields = {}
    for name in FIELDS:
        right = sum(_same(got[code][name], want[code][name]) for code in matched)
        fields[name] = right / len(want) if want else 1.0
    for name in golden.get("scan_fields", ()):  # a photo of page 1: its head is checked
        fields[name] = float(actual.get(name) == golden.get(name))
    return Score(len(want), len(got), len(matched), f1, fields)


def _same(left: object, right: object) -> bool:
    if isinstance(left, list) and isinstance(right, list):
        return set(left) == set(right)
    return left == right
