"""The directory file: valid files read, bad files refused with the line and the reason."""

from pathlib import Path

import pytest

from tracker.units.directory import DirectoryError, parse_directory, read_directory

GOOD = """\
units:
  - code: BDVTU
    name: Ban Dân vận Tỉnh ủy
    aliases: ["Ban Dân vận tỉnh"]
    parent: null
  - code: BDV-A
    name: Ban Dân vận Huyện ủy A
    parent: BDVTU
groups:
  - code: G1
    name: các ban dân vận cấp huyện
    members: [BDV-A]
"""


def test_good_file_is_read() -> None:
    directory = parse_directory(GOOD)
    assert [unit.code for unit in directory.units] == ["BDVTU", "BDV-A"]
    assert directory.units[0].aliases == ("Ban Dân vận tỉnh",)
    assert directory.units[1].parent == "BDVTU"
    assert directory.groups[0].members == ("BDV-A",)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("units:\n  - code: A\n    name: x\n  - code: A\n    name: y\n", 4, "bị trùng"),
        ("units:\n  - code: A\n    name: x\n    parent: B\n", 2, "cấp trên 'B'"),
        ("units:\n  - code: A\n    nam: x\n", 3, "khóa 'nam'"),
        ("units:\n  - code: A\n", 2, "thiếu 'name'"),
        ("units:\n  - code: 'có dấu'\n    name: x\n", 2, "không hợp lệ"),
        ("units:\n  - code: A\n    name: [x\n", 4, "bắt đầu ở dòng 3"),
        ("groups: []\n", 1, "thiếu mục 'units'"),
        (
            "units:\n  - code: A\n    name: x\n"
            "groups:\n  - code: G\n    name: g\n    members: [Z]\n",
            5,
            "Z",
        ),
        (
            "units:\n  - code: A\n    name: x\n    parent: B\n  - code: B\n    name: y\n"
            "    parent: A\n",
            2,
            "vòng lặp",
        ),
        (
            "units:\n  - code: A\n    name: Ban X\n  - code: B\n    name: y\n"
            "    aliases: [BAN  X]\n",
            4,
            "tên 'BAN X' của đơn vị 'B' trùng với tên 'Ban X' của đơn vị 'A'",
        ),
        (
            "units:\n  - code: A\n    name: Ủy ban nhân dân tỉnh\n"
            "groups:\n  - code: G\n    name: UBND tỉnh\n    members: [A]\n",
            5,
            "của nhóm 'G' trùng với tên 'Ủy ban nhân dân tỉnh'",
        ),
    ],
)
def test_bad_file_names_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(DirectoryError) as raised:
        parse_directory(text, source="units.yaml")
    assert raised.value.line == line
    assert reason in raised.value.reason
    assert f"units.yaml, dòng {line}" in str(raised.value)


def test_empty_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="rỗng"):
        parse_directory("")
    with pytest.raises(DirectoryError, match="không tìm thấy"):
        read_directory(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("units:\n  - code: A\n    name: Ban D\xe2n\n".encode("latin-1"))
    with pytest.raises(DirectoryError, match="UTF-8"):
        read_directory(latin)


def test_shared_corpus_directory_is_valid(shared_corpus: Path) -> None:
    directory = read_directory(shared_corpus / "units-demo.yaml")
    codes = {unit.code for unit in directory.units}
    assert {"BDVTU", "MTTQ", "BDV-LYSON"} <= codes
    assert {group.code for group in directory.groups} >= {"CTXH-TINH", "LLVT-TINH"}
