"""Unit names in text: the directory's names and aliases found by exact token match, with the
usual abbreviations, any case and either tone placement; fuzzy lookup for a name on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from tracker.parsing.normalize import canonical, fold_ws, match_key, strip_marks
from tracker.units.directory import UnitDirectory

FUZZY_CUTOFF = 90  # rapidfuzz ratio (0-100) on names without diacritics

_TOKEN = re.compile(r"\w+|[^\w\s]")
# Written form -> full form, both as they tokenise. Expanding both sides lets "Ủy ban MTTQ
# tỉnh" in a notice meet "Ủy ban Mặt trận Tổ quốc tỉnh" in the directory and the reverse.
_ABBREVIATIONS = {
    "mttq": "mặt trận tổ quốc",
    "llvt": "lực lượng vũ trang",
    "ct-xh": "chính trị - xã hội",
    "ctxh": "chính trị - xã hội",
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "btv": "ban thường vụ",
    "tvtu": "thường vụ tỉnh ủy",
    "btvtu": "ban thường vụ tỉnh ủy",
    "vn": "việt nam",
}


def _tokens(key: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(key)]


_EXPANSIONS = {
    tuple(t for t, _, _ in _tokens(short)): tuple(t for t, _, _ in _tokens(full))
    for short, full in _ABBREVIATIONS.items()
}
_LONGEST_SHORT = max(len(short) for short in _EXPANSIONS)
_FIRST_WORDS = {short[0] for short in _EXPANSIONS}


def _expand(tokens: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Replace abbreviations by their full words; each word keeps the abbreviation's span."""
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(tokens):
        if tokens[i][0] not in _FIRST_WORDS:  # the common case: no abbreviation starts here
            out.append(tokens[i])
            i += 1
            continue
        for size in range(min(_LONGEST_SHORT, len(tokens) - i), 0, -1):
            words = tuple(t for t, _, _ in tokens[i : i + size])
            full = _EXPANSIONS.get(words)
            if full:
                start, end = tokens[i][1], tokens[i + size - 1][2]
                out.extend((word, start, end) for word in full)
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def name_words(name: str) -> tuple[str, ...]:
    """A name as the matcher sees it: canonical, lower case, abbreviations spelled out."""
    return tuple(t for t, _, _ in _expand(_tokens(match_key(canonical(name)))))


@dataclass(frozen=True)
class UnitRef:
    """A directory unit, or a group standing for its members."""

    code: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    ref: UnitRef


class UnitIndex:
    """Every name and alias of a directory, ready to be found in text."""

    def __init__(self, directory: UnitDirectory) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], UnitRef]]] = {}
        self._fuzzy: dict[str, UnitRef] = {}
        self.by_code: dict[str, UnitRef] = {}
        entries: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
            (u.code, u.name, u.aliases, (u.code,)) for u in directory.units
        ]
        entries += [(g.code, g.name, g.aliases, g.members) for g in directory.groups]
        for code, name, aliases, members in entries:
            ref = UnitRef(code, name, tuple(members))
            self.by_code[code] = ref
            for written in (name, *aliases):
                for words in _variants(name_words(written)):
                    self._add(words, ref)
        for candidates in self._by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))

    def _add(self, words: tuple[str, ...], ref: UnitRef) -> None:
        candidates = self._by_first.setdefault(words[0], [])
        if all(existing != words for existing, _ in candidates):  # first name wins a clash
            candidates.append((words, ref))
            self._fuzzy.setdefault(strip_marks(" ".join(words)), ref)

    def find(self, text: str) -> list[Mention]:
        """Non-overlapping mentions in `text`, longest name first at each position."""
        tokens = _expand(_tokens(match_key(text)))
        words = [t for t, _, _ in tokens]
        found: list[Mention] = []
        i = 0
        while i < len(tokens):
            for candidate, ref in self._by_first.get(words[i], ()):
                size = len(candidate)
                if tuple(words[i : i + size]) == candidate:
                    found.append(Mention(tokens[i][1], tokens[i + size - 1][2], ref))
                    i += size
                    break
            else:
                i += 1
        # An abbreviation expands into several words sharing one span; keep spans distinct.
        return [m for n, m in enumerate(found) if n == 0 or m.start >= found[n - 1].end]

    def guess(self, phrase: str) -> tuple[UnitRef, float] | None:
        """The closest name to `phrase` when it is similar enough, with its score."""
        words = name_words(phrase)
        if words[:1] == ("các",):
            words = words[1:]
        query = strip_marks(" ".join(words))
        best = process.extractOne(
            query, self._fuzzy.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        return (self._fuzzy[best[0]], best[1]) if best else None


@lru_cache(maxsize=8)
def unit_index(directory: UnitDirectory) -> UnitIndex:
    """The index of a directory, built once: a web worker parses many notices against one."""
    return UnitIndex(directory)


def _variants(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The name, and the name without a leading "các" or an inner "việt nam"."""
    variants = {words}
    if words[:1] == ("các",) and len(words) > 1:
        variants.add(words[1:])
    for variant in list(variants):
        for i in range(1, len(variant) - 1):
            if variant[i : i + 2] == ("việt", "nam"):
                variants.add(variant[:i] + variant[i + 2 :])
    return variants


def display(phrase: str) -> str:
    """A phrase as it should appear in a warning."""
    return fold_ws(phrase).strip(" ,;:.")
