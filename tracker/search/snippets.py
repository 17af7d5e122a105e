"""Snippets: the part of a hit's text around the words found, with those words marked."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from tracker.search.folding import fold

SNIPPET_CHARS = 180


def snippet(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters of `text` around the first word found, words in <mark>.

    The words are matched on the folded text, whose positions are the original's (fold keeps
    one character for one), so "quy che" marks "Quy chế" as written."""
    text = " ".join(text.split())
    folded = fold(text)
    if not terms:
        return escape(_cut(text, 0, width))
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(term) for term in terms) + r")", re.ASCII)
    first = pattern.search(folded)
    start = 0
    if first is not None and first.start() > width // 3:
        start = text.rfind(" ", 0, first.start() - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + width // 2)
    pieces: list[Markup | str] = ["… " if start > 0 else ""]
    position = start
    for found in pattern.finditer(folded, start, end):
        word_end = found.end()
        while word_end < end and folded[word_end].isalnum():
            word_end += 1
        pieces += [
            escape(text[position : found.start()]),
            Markup("<mark>"),
            escape(text[found.start() : word_end]),
            Markup("</mark>"),
        ]
        position = word_end
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append(" …")
    return Markup("").join(pieces)


def _cut(text: str, start: int, width: int) -> str:
    return text[start : start + width] + (" …" if len(text) > start + width else "")
