"""Scoring a parse against a golden file: the one measure bench/parse.py and the tests share.

A golden (../shared/corpus/README.md) gives the notice's fields and its tasks by code. A
document is scored on seven figures, each a share between 0 and 1:

- task F1: tasks matched by code, against tasks produced (precision) and expected (recall);
- lead, support, due, recurrence, needs_review: expected tasks whose field is right (a task
  the parser missed counts as wrong in every field);
- fields: the notice's own fields (kind, number, title, issuer, issued_on, period,
  default_due) and each expected task's text (prefix, suffix) and group_title.

The document's score is the mean of the seven; a corpus total pools every document's counts
first (micro average), then takes the mean, so a long document weighs more than a short one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.parsing import ParseResult, parse_file
from tracker.parsing.normalize import canonical
from tracker.units.directory import UnitDirectory, read_directory

TASK_FIELDS = ("lead", "support", "due", "recurrence", "needs_review")
NOTICE_FIELDS = ("kind", "number", "issuer", "issued_on", "period", "default_due")
METRICS = ("task_f1", *TASK_FIELDS, "fields")


def norm(text: str | None) -> str | None:
    """The README's comparison: NFC, whitespace folded, canonical tone placement."""
    if text is None:
        return None
    return " ".join(canonical(unicodedata.normalize("NFC", text)).split())


@dataclass
class Score:
    """Counts of right answers and of questions, per figure; adds up across documents."""

    produced: int = 0
    expected: int = 0
    matched: int = 0
    right: dict[str, int] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)  # "code: field" of every wrong answer

    def check(self, metric: str, ok: bool, where: str) -> None:
        self.asked[metric] = self.asked.get(metric, 0) + 1
        self.right[metric] = self.right.get(metric, 0) + int(ok)
        if not ok:
            self.misses.append(f"{where}: {metric}")

    def __add__(self, other: Score) -> Score:
        total = Score(
            self.produced + other.produced,
            self.expected + other.expected,
            self.matched + other.matched,
        )
        for metric in set(self.asked) | set(other.asked):
            total.asked[metric] = self.asked.get(metric, 0) + other.asked.get(metric, 0)
            total.right[metric] = self.right.get(metric, 0) + other.right.get(metric, 0)
        total.misses = self.misses + other.misses
        return total

    def figure(self, metric: str) -> float:
        if metric == "task_f1":
            if not self.produced and not self.expected:
                return 1.0
            return 2 * self.matched / (self.produced + self.expected)
        asked = self.asked.get(metric, 0)
        return self.right.get(metric, 0) / asked if asked else 1.0

    @property
    def overall(self) -> float:
        return sum(self.figure(m) for m in METRICS) / len(METRICS)


def score(expected: dict[str, Any], actual: dict[str, Any]) -> Score:
    """How far a parse (the contract's JSON) agrees with a golden."""
    result = Score(produced=len(actual["tasks"]), expected=len(expected["tasks"]))
    for name in NOTICE_FIELDS:
        result.check("fields", actual.get(name) == expected.get(name), f"notice {name}")
    title = (norm(actual.get("title")) or "").lower()
    result.check("fields", title.startswith(norm(expected["title_prefix"]).lower()), "notice title")
    by_code = {task["code"]: task for task in actual["tasks"]}
    for want in expected["tasks"]:
        code = want["code"]
        got = by_code.get(code)
        result.matched += got is not None
        for name in TASK_FIELDS:
            result.check(name, got is not None and _same(name, got[name], want[name]), code)
        text = norm(got["text"]) if got else ""
        result.check(
            "fields", got is not None and norm(text[:50]) == norm(want["text_prefix"]), code
        )
        if "text_suffix" in want:
            ends = re.sub(r"[\W_]+$", "", text).endswith(norm(want["text_suffix"]))
            result.check("fields", got is not None and ends, f"{code} text_suffix")
        if "group_title" in want:
            title_ok = got is not None and norm(got["group_title"]) == norm(want["group_title"])
            result.check("fields", title_ok, f"{code} group_title")
    result.misses += [f"{code}: extra task" for code in by_code.keys() - _codes(expected)]
    return result


def _codes(expected: dict[str, Any]) -> set[str]:
    return {task["code"] for task in expected["tasks"]}


def _same(name: str, got: Any, want: Any) -> bool:
    if name in ("lead", "support"):
        return set(got) == set(want)
    return got == want


@dataclass(frozen=True)
class Golden:
    """One golden file with the source and the unit directory it is parsed against."""

    name: str
    path: Path
    expected: dict[str, Any]
    source: Path
    units: Path


def goldens(folder: Path) -> list[Golden]:
    """A corpus folder's golden files; each with `NAME.units.yaml`, else units-demo.yaml."""
    found = []
    for path in sorted(folder.glob("*.golden.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        name = path.name.removesuffix(".golden.json")
        units = folder / f"{name}.units.yaml"
        if not units.exists():
            units = folder / "units-demo.yaml"
        found.append(Golden(name, path, expected, folder / expected["source"], units))
    return found


def parse_golden(golden: Golden, directory: UnitDirectory | None = None) -> ParseResult:
    """The parse a golden is scored against."""
    return parse_file(golden.source, directory or read_directory(golden.units))


def score_golden(golden: Golden) -> Score:
    return score(golden.expected, parse_golden(golden).to_json_dict())
