"""Every golden file in ../shared/corpus, field by field, one test id per task."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from tests.parsing.conftest import CORPUS, require
from tracker.parsing import ParseResult, parse_file
from tracker.parsing.normalize import canonical
from tracker.units.directory import read_directory

NOTICE_FIELDS = ("source", "kind", "number", "issuer", "issued_on", "period", "default_due")
TASK_FIELDS = ("code", "group_title", "due", "recurrence", "needs_review")


def _goldens() -> list[Path]:
    return sorted(CORPUS.glob("*.golden.json")) if CORPUS.exists() else []


def _norm(text: str | None) -> str | None:
    """The README's comparison: NFC, whitespace folded, canonical tone placement."""
    if text is None:
        return None
    return " ".join(canonical(unicodedata.normalize("NFC", text)).split())


@cache
def _parsed(golden: Path) -> tuple[dict, ParseResult]:
    expected = json.loads(golden.read_text(encoding="utf-8"))
    source = golden.with_name(expected["source"])
    units = read_directory(CORPUS / "units-demo.yaml")
    return expected, parse_file(source, units)


def _cases() -> list:
    cases = []
    for golden in _goldens():
        expected = json.loads(golden.read_text(encoding="utf-8"))
        name = golden.name.removesuffix(".golden.json")
        cases.append(pytest.param(golden, None, id=f"{name}:notice"))
        cases += [
            pytest.param(golden, n, id=f"{name}:{task['code']}")
            for n, task in enumerate(expected["tasks"])
        ]
    return cases or [pytest.param(None, None, id="corpus-absent")]


@pytest.mark.parametrize(("golden", "index"), _cases())
def test_golden(golden: Path | None, index: int | None) -> None:
    if golden is None:
        require(CORPUS / "README.md")
        pytest.skip("no golden files in the corpus")
    expected, result = _parsed(golden)
    actual = result.to_json_dict()
    if index is None:
        for field in NOTICE_FIELDS:
            assert actual[field] == expected[field], field
        assert _norm(actual["title"]).lower().startswith(_norm(expected["title_prefix"]).lower())
        assert [t["code"] for t in actual["tasks"]] == [t["code"] for t in expected["tasks"]]
        return
    want = expected["tasks"][index]
    got = next((t for t in actual["tasks"] if t["code"] == want["code"]), None)
    assert got is not None, f"task {want['code']} missing"
    for field in TASK_FIELDS:
        assert _norm_field(got[field]) == _norm_field(want[field]), field
    assert set(got["lead"]) == set(want["lead"])
    assert set(got["support"]) == set(want["support"])
    text = _norm(got["text"])
    assert _norm(text[:50]) == _norm(want["text_prefix"])
    if "text_suffix" in want:
        assert re.sub(r"[\W_]+$", "", text).endswith(_norm(want["text_suffix"]))


def _norm_field(value: object) -> object:
    return _norm(value) if isinstance(value, str) else value
