"""Word automatic numbering: rebuild the label ("1.", "1.1.", "a)") a paragraph shows.

Word keeps list numbers out of the text, in numbering.xml (abstract definitions, their levels
and the list instances that point at them) and in styles.xml (styles that carry a list).
Labels are rebuilt by replaying the counters in document order, as Word does when it renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Word's lowerLetter prints the Latin alphabet (a, b, c, d, e …): the label a reader sees is
# what the code must say. A hand-typed Vietnamese "đ)" is in the text and read from there; Word
# cannot number one, so offices restart a list at that letter or type it
# (../shared/corpus/scans/README.md).
WORD_LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


@dataclass(frozen=True)
class Level:
    start: int
    fmt: str
    text: str
    restart: int | None  # w:lvlRestart; None means "after any higher level"
    legal: bool  # w:isLgl: show every level as a decimal number


@dataclass
class _Num:
    abstract: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, Level] = field(default_factory=dict)


def _val(element: Element | None, name: str) -> str | None:
    child = element.find(W + name) if element is not None else None
    return child.get(W + "val") if child is not None else None


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _level(lvl: Element) -> Level:
    restart = _val(lvl, "lvlRestart")
    return Level(
        start=_int(_val(lvl, "start"), 1),
        fmt=_val(lvl, "numFmt") or "decimal",
        text=_val(lvl, "lvlText") or "",
        restart=_int(restart, 0) if restart is not None else None,
        legal=lvl.find(W + "isLgl") is not None,
    )


def format_number(value: int, fmt: str) -> str:
    """One counter value in a Word number format."""
    if fmt in ("lowerLetter", "upperLetter"):
        count = len(WORD_LETTERS)
        letter = WORD_LETTERS[(value - 1) % count] * ((value - 1) // count + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        roman, rest = "", value
        for amount, symbol in _ROMAN:
            while rest >= amount:
                roman, rest = roman + symbol, rest - amount
        return roman if fmt == "lowerRoman" else roman.upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "none":
        return ""
    return str(value)


class Numbering:
    """Replays list counters; call `label` once per paragraph, in document order."""

    def __init__(self, numbering: Element | None, styles: Element | None) -> None:
        self._abstracts: dict[str, dict[int, Level]] = {}
        self._nums: dict[str, _Num] = {}
        self._styles: dict[str, tuple[str | None, str | None, str | None]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._restarted: set[str | None] = set()
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    def _read_numbering(self, root: Element) -> None:
        for abstract in root.iter(W + "abstractNum"):
            levels = {_int(lvl.get(W + "ilvl"), 0): _level(lvl) for lvl in abstract.iter(W + "lvl")}
            self._abstracts[abstract.get(W + "abstractNumId", "")] = levels
        for num in root.iter(W + "num"):
            entry = _Num(abstract=_val(num, "abstractNumId") or "")
            for override in num.iter(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"), 0)
                start = _val(override, "startOverride")
                if start is not None:
                    entry.start_overrides[ilvl] = _int(start, 1)
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    entry.level_overrides[ilvl] = _level(lvl)
            self._nums[num.get(W + "numId", "")] = entry

    def _read_styles(self, root: Element) -> None:
        for style in root.iter(W + "style"):
            ppr = style.find(W + "pPr")
            numpr = ppr.find(W + "numPr") if ppr is not None else None
            based_on = _val(style, "basedOn")
            self._styles[style.get(W + "styleId", "")] = (
                _val(numpr, "numId"),
                _val(numpr, "ilvl"),
                based_on,
            )

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            num_id, ilvl, based_on = self._styles[style_id]
            if num_id is not None:
                return num_id, ilvl
            style_id = based_on
        return None, None

    def label(self, paragraph: Element) -> str | None:
        """The label Word shows before this paragraph, or None when it is not in a list."""
        ppr = paragraph.find(W + "pPr")
        if ppr is None:
            return None
        numpr = ppr.find(W + "numPr")
        num_id, ilvl_text = _val(numpr, "numId"), _val(numpr, "ilvl")
        if num_id is None:
            num_id, style_ilvl = self._style_numbering(_val(ppr, "pStyle"))
            ilvl_text = ilvl_text or style_ilvl
        num = self._nums.get(num_id or "")
        if num is None or num_id == "0":
            return None
        levels = dict(self._abstracts.get(num.abstract, {}))
        levels.update(num.level_overrides)
        ilvl = _int(ilvl_text, 0)
        if ilvl not in levels:
            return None
        # List instances share the counters of their abstract definition, as Word continues
        # them; one with a start override restarts those levels where it is first used
        # (LibreOffice writes every paragraph of a restarted list as its own instance).
        counters = self._counters.setdefault(f"abs:{num.abstract}", {})
        if num.start_overrides and num_id not in self._restarted:
            self._restarted.add(num_id)
            for level in num.start_overrides:
                counters.pop(level, None)

        def start(level: int) -> int:
            return num.start_overrides.get(level, levels[level].start)

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start(ilvl)
        for deeper in [d for d in counters if d > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart != 0 and ilvl <= restart - 1):
                del counters[deeper]
        return self._render(levels, ilvl, counters, start)

    @staticmethod
    def _render(
        levels: dict[int, Level],
        ilvl: int,
        counters: dict[int, int],
        start: Callable[[int], int],
    ) -> str:
        level = levels[ilvl]
        if level.fmt == "bullet":
            return "-"
        text = level.text
        for number in range(9, 0, -1):  # "%10" does not exist; go down so "%1" is last
            placeholder = f"%{number}"
            if placeholder not in text:
                continue
            ref = number - 1
            if ref not in levels:
                text = text.replace(placeholder, "")
                continue
            value = counters.get(ref, start(ref))
            fmt = "decimal" if level.legal and ref < ilvl else levels[ref].fmt
            text = text.replace(placeholder, format_number(value, fmt))
        return text.strip()
