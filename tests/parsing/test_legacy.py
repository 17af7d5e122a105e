"""Old Word .doc and OpenDocument .odt: converted by LibreOffice, then read like the .docx."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.parsing.docx_builder import NOTICE, build_docx
from tracker.parsing import ParseError, ParseResult, parse_bytes
from tracker.parsing.readers import legacy
from tracker.parsing.readers.engines import soffice_path
from tracker.parsing.readers.legacy import read_legacy

# The Word 97 format cannot restart a shared list part-way (docx_builder's list 3), so the
# notice's section I items are typed and section II uses one list from its start.
ROWS = [
    (label, None if list_id == 2 else 2 if list_id == 3 else list_id, level, text)
    for label, list_id, level, text in NOTICE
]


def _summary(result: ParseResult) -> list[tuple]:
    return [
        (t.code, t.text, tuple(t.lead), tuple(t.support), t.due, t.recurrence) for t in result.tasks
    ]


def _require_soffice() -> str:
    path = soffice_path()
    if path is None:
        pytest.skip("LibreOffice (Debian libreoffice-writer-nogui) is not installed")
    return path


def _convert(docx: bytes, fmt: str, folder: Path) -> bytes:
    """The test's own .doc/.odt: LibreOffice saves the .docx built here in the old format."""
    soffice = _require_soffice()
    source = folder / "notice.docx"
    source.write_bytes(docx)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(folder / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (folder / "out" / f"notice.{fmt}").read_bytes()


@pytest.fixture(scope="module")
def old_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("legacy")
    docx = build_docx(automatic=True, rows=ROWS)
    return {
        "docx": docx,
        "doc": _convert(docx, "doc", folder),
        "odt": _convert(docx, "odt", folder),
    }


@pytest.mark.parametrize("fmt", ["doc", "odt"])
def test_old_formats_parse_like_the_docx(old_files, fmt: str, province) -> None:
    expected = parse_bytes(old_files["docx"], "tb.docx", province)
    result = parse_bytes(old_files[fmt], f"tb.{fmt}", province)
    assert _summary(result) == _summary(expected)
    assert [t.code for t in result.tasks][:3] == ["1.a", "1.b", "1.c"]  # Word's own numbering


def test_file_type_told_by_content_not_name(old_files, province) -> None:
    expected = parse_bytes(old_files["docx"], "tb.docx", province)
    assert _summary(parse_bytes(old_files["doc"], "tai-lieu", province)) == _summary(expected)


def test_parallel_conversions_do_not_collide(old_files, province) -> None:
    expected = _summary(parse_bytes(old_files["docx"], "tb.docx", province))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(
                lambda name: parse_bytes(old_files[name], f"tb.{name}", province), ["doc", "odt"]
            )
        )
    assert [_summary(r) for r in results] == [expected, expected]


def test_conversion_over_time_is_refused(old_files) -> None:
    with pytest.raises(ParseError) as error:
        read_legacy(old_files["doc"], ".doc", timeout=0.01)
    assert "0 s" in error.value.message_en and ".docx" in error.value.message_vi


def test_corrupt_doc_is_refused() -> None:
    _require_soffice()
    with pytest.raises(ParseError) as error:
        parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00garbage" * 50, "hong.doc")
    assert "could not be converted" in error.value.message_en
    assert "Không chuyển được" in error.value.message_vi


@pytest.mark.parametrize("name", ["cu.doc", "mo.odt"])
def test_missing_converter_names_the_package(monkeypatch, name: str) -> None:
    monkeypatch.setattr(legacy, "soffice_path", lambda: None)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old" if name.endswith(".doc") else _odt_shell()
    with pytest.raises(ParseError) as error:
        parse_bytes(data, name)
    assert "libreoffice-writer-nogui" in error.value.message_vi
    assert "libreoffice-writer-nogui" in error.value.message_en
    assert error.value.message_vi.startswith("Máy chủ chưa cài LibreOffice")


def _odt_shell() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_start_up_says_which_formats_are_unavailable(monkeypatch, tmp_path, caplog) -> None:
    from tracker.app import create_app
    from tracker.config import load_settings
    from tracker.parsing.readers import engines

    monkeypatch.setattr(engines, "soffice_path", lambda: None)
    monkeypatch.setattr(engines, "tesseract_path", lambda: None)
    caplog.set_level("INFO", logger="tracker.app")
    create_app(load_settings(env={"TRACKER_INSTANCE_PATH": str(tmp_path)}))
    line = next(r.getMessage() for r in caplog.records if "notice formats" in r.getMessage())
    assert ".doc, .odt (cần / needs libreoffice-writer-nogui)" in line
    assert "PDF scan, .png, .jpg, .tif (cần / needs tesseract-ocr tesseract-ocr-vie)" in line


def test_start_up_with_every_engine_says_all_formats_are_readable(monkeypatch) -> None:
    from tracker.parsing.readers import engines

    monkeypatch.setattr(engines, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(engines, "tesseract_path", lambda: "/usr/bin/tesseract")
    assert engines.formats_status().endswith("all formats readable")
