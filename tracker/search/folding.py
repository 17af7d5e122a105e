"""Folding Vietnamese text to plain lower-case ASCII letters, the form the search index holds.

"Quy chế dân chủ" and "quy che dan chu" fold to the same words; "Đôn Đốc" folds to "don doc"
(Unicode does not decompose đ, so it is folded by hand). Folding keeps one character for one,
so a position in the folded text is the same position in the original (snippets rely on it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# The Vietnamese letters with diacritics, and their bases, in the order the PostgreSQL index's
# translate() uses (migration 0009 holds the same two strings; a test keeps them equal).
VIETNAMESE_LETTERS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"[a-z0-9]+")


@cache
def fold_char(char: str) -> str:
    """One character, lower-cased and without diacritics; always exactly one character."""
    if char in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    lowered = base.lower()
    return lowered if len(lowered) == 1 else char


def fold(text: str) -> str:
    """The text lower-cased and without Vietnamese diacritics, of the same length."""
    return "".join(fold_char(char) for char in text)


def ascii_bases(letters: str = VIETNAMESE_LETTERS) -> str:
    """The base letter of each letter in `letters`, case kept (for the database's translate)."""
    bases = []
    for letter in letters:
        base = fold_char(letter)
        bases.append(base.upper() if letter.isupper() else base)
    return "".join(bases)


def query_terms(query: str) -> list[str]:
    """The words of what someone typed, folded; at most MAX_TERMS, each bounded in length."""
    terms: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word[:MAX_TERM_LENGTH]
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]
