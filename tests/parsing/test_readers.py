"""Readers: text encodings, Word (typed and automatic numbering, tables), PDF, bad input."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest

from tests.parsing.conftest import FIXTURES
from tests.parsing.docx_builder import build_docx, build_table_docx
from tracker.parsing import ParseError, parse_bytes, parse_file
from tracker.parsing.readers.text import TCVN3_BYTES

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TEXT_NOTICE = FIXTURES / "tb-binh-nguyen-q3.txt"
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _summary(result) -> list[tuple]:
    return [(t.code, t.lead, t.support, t.due, t.recurrence, t.needs_review) for t in result.tasks]


# --- legacy encodings -----------------------------------------------------------------------


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 keeps â, ê, ơ ... whole but writes tones as combining marks."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def _to_tcvn3(text: str) -> bytes:
    """TCVN3 (ABC) bytes; capitals with tones share the lower-case bytes, as in the fonts."""
    reverse = {char: byte for byte, char in TCVN3_BYTES.items()}
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        byte = reverse.get(char, reverse.get(char.lower()))
        out += bytes([byte]) if byte is not None else char.encode("ascii")
    return bytes(out)


@pytest.mark.parametrize("encode", [_to_cp1258, _to_tcvn3], ids=["cp1258", "tcvn3"])
def test_legacy_encoding_told_with_confidence(province, encode) -> None:
    text = TEXT_NOTICE.read_text(encoding="utf-8")
    expected = _summary(parse_file(TEXT_NOTICE, province))
    assert _summary(parse_bytes(encode(text), "cu.txt", province)) == expected


def test_undecidable_bytes_are_refused() -> None:
    garbage = bytes(range(0x80, 0x100)) * 20 + b" abc \xe9\xe8 "
    with pytest.raises(ParseError) as error:
        parse_bytes(garbage, "rac.txt")
    assert "encoding" in error.value.message_en and "bảng mã" in error.value.message_vi


def test_binary_is_not_text() -> None:
    with pytest.raises(ParseError, match="not text"):
        parse_bytes(b"\x00\x01\x02binary\x00", "blob.txt")


# --- Word ------------------------------------------------------------------------------------


def test_automatic_numbering_reads_as_word_shows_it(province) -> None:
    """Word numbers a lettered list a, b, c, d, e: the fifth item a reader sees is "e)", where
    the hand-typed copy says "đ)" (Word cannot number "đ"; ../shared/corpus/scans/README.md)."""
    typed = parse_bytes(build_docx(automatic=False), "go-tay.docx", province).to_json_dict()
    auto = parse_bytes(build_docx(automatic=True), "tu-dong.docx", province).to_json_dict()
    typed.pop("source"), auto.pop("source")
    assert [t["code"] for t in typed["tasks"]] == [
        "1.a", "1.b", "1.c", "1.d", "1.đ", "2.a", "2.b", "3.1", "3.2",
    ]  # fmt: skip
    assert [t["code"] for t in auto["tasks"]] == [
        "1.a", "1.b", "1.c", "1.d", "1.e", "2.a", "2.b", "3.1", "3.2",
    ]  # fmt: skip
    for task in (*typed["tasks"], *auto["tasks"]):
        task.pop("code")
        task.pop("warnings", None)
    assert auto == typed


def test_automatic_numbering_start_value_and_format(province) -> None:
    rows = [
        ("", None, 0, "THÔNG BÁO"),
        ("", None, 0, "KẾT LUẬN năm 2025"),
        ("", None, 0, "Ngày 02/01/2025, hội nghị họp."),
        ("", 4, 0, "Sở Y tế kiểm tra an toàn thực phẩm."),
        ("", 4, 0, "Công an tỉnh bảo đảm an ninh."),
    ]
    codes = [t.code for t in parse_bytes(build_docx(True, rows), "x.docx", province).tasks]
    assert codes == ["3", "4"]  # "%1/" starting at 3


def test_docx_header_table_is_read_cell_by_cell(province) -> None:
    data = build_table_docx(
        ["TỈNH ỦY BÌNH NGUYÊN\nSố 5-TB/TU", "ĐẢNG CỘNG SẢN VIỆT NAM\nngày 3 tháng 3 năm 2025"],
        [],
        [],
        ["THÔNG BÁO", "KẾT LUẬN CỦA VĂN PHÒNG TỈNH ỦY", "quý I/2025", "1. Sở Y tế làm A."],
    )
    result = parse_bytes(data, "x.docx", province)
    assert (result.number, result.issuer) == ("5-TB/TU", "VPTU")
    assert str(result.issued_on) == "2025-03-03"
    assert [(t.code, t.lead) for t in result.tasks] == [("1", ["SYT"])]


def test_task_table_rows_become_tasks(province) -> None:
    data = build_table_docx(
        ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn"],
        [
            ["1", "Kiểm tra an toàn thực phẩm", "Sở Y tế", "Công an tỉnh", "30/9/2025"],
            ["2", "Tổ chức hội thi", "Hội Nông dân tỉnh", "", "Quý IV/2025"],
        ],
        ["THÔNG BÁO", "KẾT LUẬN CỦA BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY", "về nhiệm vụ năm 2025"],
    )
    tasks = parse_bytes(data, "bang.docx", province).tasks
    assert [(t.code, t.lead, t.support, t.due.isoformat()) for t in tasks] == [
        ("1", ["SYT"], ["CAT"], "2025-09-30"),
        ("2", ["HND"], [], "2025-12-31"),
    ]


def test_corpus_docx_header_table(demo_units) -> None:
    from tests.parsing.conftest import CORPUS

    result = parse_file(CORPUS / "public-02.docx", demo_units)
    assert (result.number, str(result.issued_on)) == ("142-TB/BDVTU", "2024-07-19")


# --- PDF -------------------------------------------------------------------------------------


def _pdf(lines: list[str]) -> bytes:
    fpdf = pytest.importorskip("fpdf")
    if not FONT.exists():
        pytest.skip(f"{FONT} is not installed (apt install fonts-dejavu-core)")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    for line in lines:
        if line.strip():
            pdf.multi_cell(0, 6, " ".join(line.split()), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(3)
    return bytes(pdf.output())


def test_text_pdf_parses_like_the_text(province) -> None:
    lines = TEXT_NOTICE.read_text(encoding="utf-8").splitlines()
    result = parse_bytes(_pdf(lines), "tb.pdf", province)
    assert _summary(result) == _summary(parse_file(TEXT_NOTICE, province))
    assert result.number == "27-TB/BTGDVTU"


def test_scanned_pdf_says_it_is_a_scan() -> None:
    fpdf = pytest.importorskip("fpdf")
    image = pytest.importorskip("PIL.Image")
    picture = io.BytesIO()
    image.new("L", (200, 280), 255).save(picture, format="PNG")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    with pytest.raises(ParseError) as error:
        parse_bytes(bytes(pdf.output()), "scan.pdf")
    assert "scan" in error.value.message_en and "scan" in error.value.message_vi


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "english"),
    [
        (b"", "rong.txt", "empty"),
        (b"   \r\n\t ", "trang.txt", "empty"),
        (b"\xef\xbb\xbf\n\n", "bom.txt", "no text"),
        (b"PK\x03\x04 broken zip", "hong.docx", "corrupt"),
        (b"not a word file at all", "gia.docx", "corrupt"),
        (b"%PDF-1.7\n garbage", "hong.pdf", "corrupt"),
        (b"no pdf header", "gia.pdf", "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old", "cu.doc", ".doc"),
        (b"a,b\n1,2\n", "bang.csv", "Unsupported"),
    ],
)
def test_bad_input(data: bytes, name: str, english: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_bytes(data, name)
    assert english in error.value.message_en
    assert str(error.value) == f"{error.value.message_vi} / {error.value.message_en}"
    assert "\n" not in str(error.value)


def test_zip_that_is_not_word() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ParseError, match="Unsupported"):
        parse_bytes(buffer.getvalue(), "bang.xlsx")


def test_docx_with_broken_xml() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    with pytest.raises(ParseError, match="corrupt"):
        parse_bytes(buffer.getvalue(), "hong.docx")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="File not found"):
        parse_file(tmp_path / "khong-co.txt")
