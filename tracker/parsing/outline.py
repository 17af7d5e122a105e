"""Lines of a notice classified by their marker (II., 1.1., a), -), then nested into a tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.parsing.normalize import fold_ws

_SECTION = re.compile(r"^(?P<label>[A-ZĐ])\.\s+(?P<text>\S.*)$")
_ROMAN = re.compile(
    r"^(?P<label>(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))\s*[.):/\-]\s*(?P<text>[^\W\d_a-zđ].*)$"
)
_NUMBER = re.compile(
    r"^(?P<label>\d{1,3}(?:\.\d{1,2}){0,3})(?P<term>[.)]|/(?!\d))?\s*(?P<text>\D.*)$"
)
_LETTER = re.compile(
    r"^(?P<label>[a-zđ])\s?(?:[).]|/(?=\s))\s*(?P<text>\S.*)$"
    r"|^(?P<upper>[A-ZĐ])\)\s*(?P<t2>\S.*)$"
)
# "(1)", "(2)" or "(i)", "(ii)": sub-items of the item above (CONVENTIONS B4).
_PAREN = re.compile(r"^\((?P<label>\d{1,2}|[ivx]{1,4})\)\s*(?P<text>\S.*)$")
_DASH = re.compile(r"^[-•·∙●○■□▪►❖✓+*]\s*(?P<text>.*)$")
_HAS_WORD = re.compile(r"[^\W_]")  # "______" is a separator, not a line of text

# Ranks nest items: a line becomes the child of the nearest earlier item of a lower rank.
RANKS = {"section": 0, "roman": 1, "letter": 10, "paren": 11}


@dataclass(frozen=True)
class Line:
    kind: str  # section, roman, number, letter, paren, dash, plain, rule (a separator), blank
    label: str
    text: str


def classify(raw: str) -> Line:
    """Tell what kind of line this is and split its marker from its text."""
    text = fold_ws(raw)
    if not text:
        return Line("blank", "", "")
    if not _HAS_WORD.search(text):
        return Line("rule", "", text)
    if match := _ROMAN.match(text):
        return Line("roman", match["label"], match["text"])
    if (match := _SECTION.match(text)) and match["text"].isupper():
        return Line("section", match["label"], match["text"])
    match = _NUMBER.match(text)
    # "2.5 triệu" is a number in a sentence; "2.5 Triển khai" and "2.5. triển khai" are items.
    if match and (match["term"] or ("." in match["label"] and match["text"][:1].isupper())):
        return Line("number", match["label"], match["text"].strip())
    if match := _LETTER.match(text):
        if match["label"]:
            return Line("letter", match["label"], match["text"])
        return Line("letter", match["upper"].lower(), match["t2"])
    if match := _PAREN.match(text):
        return Line("paren", match["label"], match["text"])
    if (match := _DASH.match(text)) and _HAS_WORD.search(match["text"]):
        return Line("dash", "+" if text[0] == "+" else "-", match["text"])
    return Line("plain", "", text)


@dataclass(eq=False)
class Node:
    """A numbered, lettered or Roman item with the unnumbered lines that follow it."""

    kind: str
    label: str
    text: str
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    trailing: list[Line] = field(default_factory=list)
    last: bool = False  # no item follows it under the same parent

    @property
    def rank(self) -> int:
        if self.kind == "number":
            return 2 + self.label.count(".")
        return RANKS[self.kind]

    def ancestors(self) -> list[Node]:
        """Enclosing items, nearest first."""
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


def build_outline(lines: list[Line]) -> list[Node]:
    """Nest item lines by rank; plain and dash lines stay with the item above them."""
    roots: list[Node] = []
    stack: list[Node] = []
    for line in lines:
        if line.kind in ("blank", "rule"):
            continue
        if line.kind in ("plain", "dash"):
            if stack:
                stack[-1].trailing.append(line)
            continue
        node = Node(line.kind, line.label, line.text)
        while stack and stack[-1].rank >= node.rank:
            stack.pop()
        if stack:
            node.parent = stack[-1]
            stack[-1].children.append(node)
        else:
            roots.append(node)
        stack.append(node)
    _mark_last(roots)
    return roots


def _mark_last(nodes: list[Node]) -> None:
    if nodes:
        nodes[-1].last = True
    for node in nodes:
        _mark_last(node.children)
