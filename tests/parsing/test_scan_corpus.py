"""The shared corpus's scans, photo, .doc and .odt, scored like the text version they came from.

Each golden in ../shared/corpus/scans names its text version ("scan_of" / "doc_of"). A scan
must reach 90 % of the text version's score (task F1, lead, support, due, recurrence; see
bench/scan_score.py) with every task flagged for review; a .doc or .odt must score what the
text scores; the phone photo of page 1 must give the notice's number and date.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from bench.scan_score import score
from tests.parsing.conftest import CORPUS, require
from tracker.parsing import parse_file
from tracker.parsing.readers.engines import soffice_path, tesseract_path
from tracker.units.directory import read_directory

SCANS = CORPUS / "scans"
TARGET = 0.9
KNOWN: dict[str, str] = {}


def _goldens() -> list:
    if not SCANS.exists():
        return [pytest.param(None, id="corpus-absent")]
    params = []
    for path in sorted(SCANS.glob("*.golden.json")):
        name = path.name.removesuffix(".golden.json")
        marks = [pytest.mark.slow]
        if name in KNOWN:
            marks.append(pytest.mark.xfail(reason=KNOWN[name], strict=True))
        params.append(pytest.param(path, id=name, marks=marks))
    return params


@cache
def _parsed(path: Path) -> dict:
    units = path.with_name(path.name.replace(".golden.json", ".units.yaml"))
    if not units.exists():
        units = CORPUS / "units-demo.yaml"
    golden = json.loads(path.read_text(encoding="utf-8"))
    return parse_file(path.with_name(golden["source"]), read_directory(units)).to_json_dict()


@pytest.mark.parametrize("golden_path", _goldens())
def test_corpus_scan_scores_like_its_text(golden_path: Path | None) -> None:
    if golden_path is None:
        require(SCANS / "README.md")
        pytest.skip("no goldens in the scans folder")
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    is_word = golden["source"].endswith((".doc", ".odt"))
    if is_word and soffice_path() is None:
        pytest.skip("LibreOffice (libreoffice-writer-nogui) is not installed")
    if not is_word and tesseract_path() is None:
        pytest.skip("Tesseract with Vietnamese (tesseract-ocr-vie) is not installed")
    actual = _parsed(golden_path)
    if "scan_fields" in golden:  # the photo of page 1
        for field in golden["scan_fields"]:
            assert actual[field] == golden[field], field
        assert actual["ocr"] is True
        return
    text_golden = (golden_path.parent / (golden.get("scan_of") or golden["doc_of"])).resolve()
    text_score = score(_parsed(text_golden), json.loads(text_golden.read_text(encoding="utf-8")))
    mine = score(actual, golden)
    if is_word:
        assert mine.overall >= text_score.overall, (mine, text_score)
        return
    assert actual["ocr"] is True
    assert all(task["needs_review"] for task in actual["tasks"])
    assert mine.overall >= TARGET * text_score.overall, (mine, text_score)
