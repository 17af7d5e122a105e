"""Hostile notice files, generated (never stored), for the upload caps' tests and bench/upload.py.

Each one mirrors a case from the hardening review (issue 11): a deflate bomb in a PDF content
stream, a huge page, thousands of pages, a .docx zip bomb, a 20 MB legacy-encoded text; and an
ordinary long notice that must still be read.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib
from collections.abc import Callable

MB = 1024 * 1024
_GLYPHS = b"BT /F1 9 Tf 20 20 Td (Nhiem vu so mot) Tj ET\n"


def _pdf(pages: list[bytes], *, media_box: str = "0 0 595 842", shared: bool = False) -> bytes:
    """A PDF of the given content streams (each already with its dictionary's filter entry).

    Pages with `shared` all show the first stream, so thousands of pages stay small.
    """
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    streams = pages[:1] if shared else pages
    stream_ids = []
    for content in streams:
        objects.append(content)
        stream_ids.append(len(objects))
    kids = []
    for index in range(len(pages)):
        contents = stream_ids[0] if shared else stream_ids[index]
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [{media_box}] /Contents {contents} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _stream(data: bytes, *, deflate: bool) -> bytes:
    body = zlib.compress(data, 9) if deflate else data
    entry = b" /Filter /FlateDecode" if deflate else b""
    return (
        b"<< /Length " + str(len(body)).encode() + entry + b" >>\nstream\n" + body + b"\nendstream"
    )


def _deflated_stream(total: int, chunk: bytes) -> bytes:
    """A FlateDecode stream of `total` bytes of `chunk` repeated, compressed as it goes."""
    packer = zlib.compressobj(9)
    block = chunk * (MB // len(chunk))
    parts = [packer.compress(block) for _ in range(total // len(block))]
    body = b"".join(parts) + packer.flush()
    return (
        b"<< /Length "
        + str(len(body)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + body
        + b"\nendstream"
    )


def pdf_deflate_bomb(inflated_mb: int = 50) -> bytes:
    """One page whose content stream is a small deflate stream of `inflated_mb` MB of text."""
    return _pdf([_deflated_stream(inflated_mb * MB, _GLYPHS)])


def pdf_wrapped_bomb(inflated_mb: int = 50) -> bytes:
    """The deflate bomb again, hidden under an ASCII85 layer (/Filter [/A85 /Flate])."""
    import base64

    inner = _deflated_stream(inflated_mb * MB, _GLYPHS)
    body = inner.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    wrapped = base64.a85encode(body, wrapcol=76) + b"~>"
    return _pdf(
        [
            b"<< /Length "
            + str(len(wrapped)).encode()
            + b" /Filter [/ASCII85Decode /FlateDecode] >>\nstream\n"
            + wrapped
            + b"\nendstream"
        ]
    )


def pdf_huge_page() -> bytes:
    """One poster-sized page drawing 12 MB of text operators, stored uncompressed."""
    return _pdf(
        [_stream(_GLYPHS * (12 * MB // len(_GLYPHS)), deflate=False)], media_box="0 0 14400 14400"
    )


def pdf_many_pages(count: int = 5000) -> bytes:
    """Thousands of pages sharing one small content stream."""
    return _pdf([_stream(_GLYPHS, deflate=True)] * count, shared=True)


def docx_zip_bomb(inflated_mb: int = 300) -> bytes:
    """A .docx whose document.xml inflates to `inflated_mb` MB of empty paragraphs."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                b'2006/main"><w:body>'
            )
            block = b"<w:p/>" * (MB // 6)
            for _ in range(inflated_mb):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return out.getvalue()


def text_cp1258(size_mb: int = 20) -> bytes:
    """A legacy Windows-1258 text of `size_mb` MB (tones as combining marks, as cp1258 writes)."""
    line = _cp1258(
        "1. Sở Nội vụ chủ trì tham mưu việc sắp xếp tổ chức bộ máy, hoàn thành trước 30/9.\n"
    )
    return line * (size_mb * MB // len(line))


def text_cp1258_notice(tasks: int, size_bytes: int) -> bytes:
    """A cp1258 notice of `tasks` numbered tasks with long paragraphs, just under `size_bytes`."""
    filler = "Tiếp tục rà soát, tổng hợp ý kiến các xã, phường và báo cáo kết quả cụ thể. "
    room = size_bytes // tasks - 120
    body = (filler * (room // len(_cp1258(filler)) + 1)).strip()
    lines = [
        f"{number}. Sở Nội vụ chủ trì, hoàn thành trước 30/9/2025. {body}"
        for number in range(1, tasks + 1)
    ]
    data = _cp1258("\n".join(lines) + "\n")
    while len(data) > size_bytes:
        body = body[: len(body) * 9 // 10]
        lines = [f"{number}. Sở Nội vụ chủ trì. {body}" for number in range(1, tasks + 1)]
        data = _cp1258("\n".join(lines) + "\n")
    return data


def _cp1258(text: str) -> bytes:
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def pdf_long_notice(pages: int = 200) -> bytes:
    """An ordinary notice of `pages` pages: numbered tasks (more than 99) with lettered parts,
    about 1.5 numbered tasks a page, each with two parts (under the 1000-task cap at 200 pages).
    """
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    reason = (
        "It shall also explain each delay, name the people in charge and say what help it "
        "needs from the board, the wards and the other departments. "
    )
    number = 0
    while pdf.page < pages:
        number += 1
        pdf.multi_cell(
            0,
            6,
            f"{number}. Department {number} shall review the plans of the year and report "
            "progress every month to the standing board; deadline 30/09/2025. " + reason * 11,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for letter in "ab":
            pdf.multi_cell(
                0,
                6,
                f"{letter}) Part {letter} of task {number}: collect the figures from the wards, "
                "check them against last year's report and send a short note to the office "
                "of the board before the end of each month. " + reason * 2,
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())


HOSTILE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "pdf-deflate-bomb": ("bomb.pdf", pdf_deflate_bomb),
    "pdf-wrapped-bomb": ("bomb-a85.pdf", pdf_wrapped_bomb),
    "pdf-huge-page": ("poster.pdf", pdf_huge_page),
    "pdf-many-pages": ("nhieu-trang.pdf", pdf_many_pages),
    "docx-zip-bomb": ("bomb.docx", docx_zip_bomb),
    "text-cp1258-20mb": ("thong-bao.txt", text_cp1258),
}
