"""A PDF's cost told before pdfminer decodes it: stream sizes once inflated, objects, pages.

pdfminer inflates every stream it touches in one piece, so a 150 KB file whose content stream
inflates to 50 MB costs gigabytes. Here each stream is inflated at most one byte past its cap,
straight from the file's bytes, so a bomb is refused after a few megabytes of work.
"""

from __future__ import annotations

import re
import zlib

from tracker.parsing.limits import (
    ParseLimits,
    inflated_too_large,
    part_too_large,
    too_many_objects,
    too_many_pages,
)

_STREAM = re.compile(rb"(?<![A-Za-z])stream\r?\n")
_OBJECT_HEAD = re.compile(rb"\d+\s+\d+\s+obj\b")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
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
        size = _inflated_size(raw, limits.max_part_bytes) if b"/FlateDecode" in head else len(raw)
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


def _inflated_size(raw: bytes, cap: int) -> int:
    """Size of `raw` once inflated, counting no further than cap + 1."""
    inflater = zlib.decompressobj()
    try:
        return len(inflater.decompress(raw, cap + 1))
    except zlib.error:
        return len(raw)  # not really deflate: pdfminer will refuse or skip it


def check_document(document: object, limits: ParseLimits) -> None:
    """Refuse a PDF with more objects or pages than the caps, counting without decoding."""
    from pdfminer.pdftypes import resolve1

    objects = sum(len(list(xref.get_objids())) for xref in document.xrefs)  # type: ignore[attr-defined]
    if objects > limits.max_objects:
        raise too_many_objects(limits)
    pages = resolve1(document.catalog.get("Pages"))  # type: ignore[attr-defined]
    count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    if isinstance(count, int) and count > limits.max_pages:
        raise too_many_pages(limits)
