"""A PDF's cost told before pdfminer decodes it: stream sizes once inflated, objects, pages.

pdfminer inflates every stream it touches in one piece, so a 150 KB file whose content stream
inflates to 50 MB costs gigabytes. Here each stream is inflated at most one byte past its cap,
straight from the file's bytes, so a bomb is refused after a few megabytes of work.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import TYPE_CHECKING

from tracker.parsing.limits import (
    ParseLimits,
    inflated_too_large,
    part_too_large,
    too_many_objects,
    too_many_pages,
)

if TYPE_CHECKING:
    from pdfminer.pdfdocument import PDFDocument

_STREAM = re.compile(rb"(?<![A-Za-z])stream\r?\n")
_OBJECT_HEAD = re.compile(rb"\d+\s+\d+\s+obj\b")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")
_DICT_WINDOW = 4096  # how far back from "stream" its dictionary may start


def check_streams(data: bytes, limits: ParseLimits) -> None:
    """Refuse a PDF whose streams (but images, which text extraction never decodes) are too big."""
    total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        head = _dictionary_before(data, match.start())
        if _IMAGE.search(head):
            continue
        end = data.find(b"endstream", start)
        raw = data[start : end if end >= 0 else len(data)]
        size = _decoded_size(raw, _filters(head), limits.max_part_bytes)
        if size > limits.max_part_bytes:
            raise part_too_large(limits)
        total += size
        if total > limits.max_inflated_bytes:
            raise inflated_too_large(limits)


def _dictionary_before(data: bytes, stream_at: int) -> bytes:
    """The bytes between the object's "N G obj" and its "stream" keyword."""
    window = data[max(0, stream_at - _DICT_WINDOW) : stream_at]
    heads = list(_OBJECT_HEAD.finditer(window))
    return window[heads[-1].end() :] if heads else window


def _filters(head: bytes) -> list[bytes]:
    """The stream's filters in the order they are undone (/Filter /A or /Filter [/A /B])."""
    found = _FILTER.search(head)
    return re.findall(rb"/(\w+)", found.group(1)) if found else []


def _decoded_size(raw: bytes, filters: list[bytes], cap: int) -> int:
    """Size of `raw` once its filters are undone, counting no further than cap + 1.

    The text encodings (hex, ASCII85) only shrink; deflate is inflated in bounded steps. Other
    filters (LZW, run length) are left to the child's memory and time caps.
    """
    data = raw
    for name in filters:
        try:
            if name in (b"ASCIIHexDecode", b"AHx"):
                text = re.sub(rb"\s", b"", data.split(b">", 1)[0])
                data = binascii.unhexlify(text + b"0" * (len(text) % 2))
            elif name in (b"ASCII85Decode", b"A85"):
                text = re.sub(rb"\s", b"", data.split(b"~>", 1)[0]).removeprefix(b"<~")
                data = base64.a85decode(text)
            elif name in (b"FlateDecode", b"Fl"):
                data = zlib.decompressobj().decompress(data, cap + 1)
            else:
                break
        except (ValueError, zlib.error):
            break  # not what it claims: pdfminer will refuse or skip it
    return len(data)


def check_document(document: PDFDocument, limits: ParseLimits) -> None:
    """Refuse a PDF with more objects or pages than the caps, counting without decoding."""
    from pdfminer.pdftypes import resolve1

    objects = sum(len(list(xref.get_objids())) for xref in document.xrefs)
    if objects > limits.max_objects:
        raise too_many_objects(limits)
    pages = resolve1(document.catalog.get("Pages"))
    count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    if isinstance(count, int) and count > limits.max_pages:
        raise too_many_pages(limits)
