"""`tracker parse`: JSON and table output, one bilingual line and status 2 on any error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.parsing.conftest import FIXTURES
from tracker.parsing import parse_file
from tracker.parsing.cli import parse_command

NOTICE = FIXTURES / "tb-binh-nguyen-q3.txt"
UNITS = FIXTURES / "units-binh-nguyen.yaml"
REPO = Path(__file__).resolve().parents[2]


def _run(*args: str):
    return CliRunner().invoke(parse_command, [str(a) for a in args])


def test_json_is_the_contract_document(province) -> None:
    result = _run(NOTICE, "--units", UNITS, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == parse_file(NOTICE, province).to_json_dict()
    assert list(document)[:9] == [
        "source", "kind", "doc_type", "number", "title", "issuer", "issued_on", "period",
        "default_due",
    ]  # fmt: skip
    assert document["doc_type"] == "thong_bao"


def test_table_shows_code_units_due_and_text() -> None:
    result = _run(NOTICE, "--units", UNITS)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("2.b"))
    assert "HND / TD" in row and "30/09/2025" in row and "Hội Nông dân tỉnh chủ trì" in row
    assert "Sở Khoa học và Công nghệ" in result.stdout  # the warnings follow the table


def test_without_units() -> None:
    result = _run(NOTICE, "--json")
    assert result.exit_code == 0
    assert all(task["needs_review"] for task in json.loads(result.stdout)["tasks"])


@pytest.mark.parametrize(
    ("make", "english"),
    [
        (lambda d: d / "khong-co.txt", "File not found"),
        (lambda d: _write(d / "rong.txt", b""), "empty"),
        (lambda d: _write(d / "hong.docx", b"PK\x03\x04xx"), "corrupt"),
        (lambda d: _write(d / "anh.png", b"\x89PNG\r\n\x1a\n"), "corrupt"),
        (lambda d: _write(d / "anh.gif", b"GIF89a\x01\x00"), "Unsupported"),
        (lambda d: d, "directory"),
    ],
)
def test_errors_are_one_line_and_status_2(tmp_path: Path, make, english: str) -> None:
    result = _run(make(tmp_path), "--json")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and " / " in lines[0] and english in lines[0]
    assert "Traceback" not in result.output


def test_bad_directory_is_one_line(tmp_path: Path) -> None:
    units = _write(tmp_path / "units.yaml", b"units:\n  - code: A\n")
    result = _run(NOTICE, "--units", units)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unit directory" in result.stderr


def test_module_runs_as_a_script(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "tracker.parsing.cli", str(NOTICE), "--units", str(UNITS), "--json"],
        capture_output=True, cwd=REPO, check=False, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr.decode()
    assert json.loads(ok.stdout)["number"] == "27-TB/BTGDVTU"
    bad = subprocess.run(
        [sys.executable, "-m", "tracker.parsing.cli", str(_write(tmp_path / "x.txt", b""))],
        capture_output=True, cwd=REPO, check=False, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.decode().count("\n") == 1 and b"Traceback" not in bad.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
