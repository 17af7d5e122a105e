"""Text normalisation: Unicode NFC, one tone placement, clean whitespace, matching keys."""

from __future__ import annotations

import re
import unicodedata

_TONES = "\u0300\u0301\u0303\u0309\u0323"
# Old-style tone placement puts the mark on the second vowel of an open "oa", "oe", "uy"
# ("hoà", "uỷ"); the new style ("hòa", "ủy") is the canonical one. "qu" is a consonant, so
# "quý" keeps its mark where it is.
# A further mark after the tone ("hoặc": o, a, dot below, breve) means the vowel is "ă", "ê"
# and the word is already new-style: it must stay "hoặc", never "họăc".
_OLD_STYLE = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?![^\W\d_]|[\u0300-\u036f])")
# Zero-width characters, soft hyphens, and the two private-use marks the role finder uses.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\ue000\ue001"), None)
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_DASHES = str.maketrans("\u2010\u2011\u2012\u2013\u2014\u2212", "------")
_ANY_DASH = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")
# Emphasis left over from HTML-to-text conversion ("*Dân vận khéo*"); a lone "*" stays.
_EMPHASIS = re.compile(r"(?<![\w*])\*{1,2}(?=\S)([^*\n]+?)(?<=\S)\*{1,2}(?![\w*])")
_WS = re.compile(r"\s+")


def canonical(text: str) -> str:
    """NFC with new-style tone placement ("Uỷ" -> "Ủy") and no invisible characters."""
    text = text.translate(_INVISIBLE)
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_STYLE.sub(lambda m: m.group(1)[0] + m.group(2) + m.group(1)[1], decomposed)
    return unicodedata.normalize("NFC", moved)


def clean_line(line: str) -> str:
    """One source line, canonical and stripped; runs of spaces are kept (header columns)."""
    line = _SPACES.sub(" ", canonical(line)).strip()
    return _EMPHASIS.sub(r"\1", line)


def fold_ws(text: str) -> str:
    """Collapse every run of whitespace to one space."""
    return _WS.sub(" ", text).strip()


def match_key(text: str) -> str:
    """Lower-case form with plain hyphens; same length as `text` so offsets carry over."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few non-Vietnamese letters lengthen when lowered
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    # translate() looks every character up; most lines have no typographic dash at all.
    return lowered.translate(_DASHES) if _ANY_DASH.search(lowered) else lowered


def _bare(char: str) -> str:
    kept = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return kept if len(kept) == 1 else char


# One table for every accented Latin letter, so stripping is a single str.translate.
_BARE: dict[int, str | None] = {
    code: _bare(chr(code)) for code in range(0x00C0, 0x1F00) if _bare(chr(code)) != chr(code)
}
_BARE.update({ord("đ"): "d", ord("Đ"): "D"})
_BARE.update(dict.fromkeys(range(0x0300, 0x0370), None))  # stray combining marks


def strip_marks(text: str) -> str:
    """Drop diacritics ("Tỉnh ủy" -> "Tinh uy"), for fuzzy comparison and keyword stops."""
    return text.translate(_BARE)
