"""Misread item labels repaired from where they stand in the outline, not per file.

Tesseract reads "II." as "H." or "IL.", "c)" as "È)", "g)" as "ø)", and puts dust before a
label ("-_ đ)", ".3."). One wrong label regroups every task under it, so each label is checked
against the one the outline expects next (after "I." comes "II.", after "e)" comes "g)").
"""

from __future__ import annotations

import re

LETTERS = "abcdđeghiklmnopqrstuvxy"  # the Vietnamese order used for lettered items
_ROMANS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
_JUNK_BEFORE_LABEL = re.compile(r"^[-_.,'`\"~·•|]+\s*(?=(?:\S{1,5}[.)]|\d{1,2}[.,])\s)")
_ROMAN_LIKE = re.compile(r"^(?P<token>[IVXLHl1|]{1,5})\s*(?P<dot>[.:,]?)\s+(?P<rest>\S.*)$")
_LETTER_LIKE = re.compile(r"^(?P<char>\S)\)\s*(?P<rest>\S.*)$")
_SUB_NUMBER = re.compile(r"^(?P<top>\d{1,2})[.,](?P<sub>\d{1,2})[.,]\s+(?P<rest>[^\W\d_].*)$")
_NUMBER_LIKE = re.compile(r"^(?P<number>\d{1,2})(?P<term>[.,:;])\s+(?P<rest>[^\W\d_].*)$")
_QUARTER = re.compile(r"(?P<word>\b[qQ]u[ýyỳ])\s+(?P<numeral>[IVÏÍÌIl|1]{1,3}V?)(?![\w])")
_I_LIKE = str.maketrans("ÏÍÌl|1", "IIIIII")
_RECIPIENTS = re.compile(r"^n\s*[ơo]\s*i\s*n\s*h\s*[ậaâ]\s*n\s*\W*", re.IGNORECASE)


def fix_labels(paragraphs: list[str]) -> list[str]:
    """The paragraphs with misread labels at their starts put right."""
    fixed: list[str] = []
    roman = 0  # the last Roman numeral's value
    number = 0  # the last top-level number
    letter: int | None = None  # index in LETTERS of the last lettered item
    sub = 0  # the last "N.M." item's M under the current N
    value: int | None  # the number a label stands for (None: a Roman-like word, no numeral)
    for text in paragraphs:
        text = _QUARTER.sub(_quarter, _JUNK_BEFORE_LABEL.sub("", text))
        if match := _RECIPIENTS.match(text):
            text = "Nơi nhận: " + text[match.end() :]
        elif match := _SUB_NUMBER.match(text):
            top, value = int(match["top"]), int(match["sub"])
            if top != number and number and value == sub + 1 and value > 1:
                top = number  # "3.11." right after "2.10." is "2.11."
            if top == number or not number:
                number, sub, letter = top, value, None
            text = f"{top}.{value}. {match['rest']}"
        elif (match := _ROMAN_LIKE.match(text)) and _mostly_upper(match["rest"]):
            value = _roman_value(match["token"], roman, bool(match["dot"]))
            if value:
                roman, number, letter, sub = value, 0, None, 0
                text = f"{_ROMANS[value - 1]}. {match['rest']}"
        elif match := _NUMBER_LIKE.match(text):
            value = int(match["number"])
            if match["term"] != "." and value == number + 1:
                text = f"{value}. {match['rest']}"
            if match["term"] == "." or value == number + 1:
                number, letter, sub = value, None, 0
        elif match := _LETTER_LIKE.match(text):
            char = match["char"].lower()
            expected = 0 if letter is None else letter + 1
            if char in LETTERS and LETTERS.index(char) >= expected:
                letter = LETTERS.index(char)
            elif expected < len(LETTERS) and not ("a" <= char <= "z" or char == "đ"):
                letter = expected
            else:
                fixed.append(text)
                continue
            text = f"{LETTERS[letter]}) {match['rest']}"
        fixed.append(text)
    return fixed


def _quarter(match: re.Match[str]) -> str:
    """ "quý Ï" is "quý I": a quarter is I to IV, and OCR bends the I's."""
    numeral = match["numeral"].translate(_I_LIKE)
    if numeral not in ("I", "II", "III", "IV"):
        return match[0]
    return f"{match['word']} {numeral}"


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _roman_value(token: str, previous: int, dotted: bool = True) -> int | None:
    """The numeral a heading label stands for: itself when valid and in order, else the next.

    Without its dot ("II NHIỆM VỤ") only the numeral expected next is taken.
    """
    if not dotted:
        expected = previous + 1
        return expected if expected <= len(_ROMANS) and token == _ROMANS[expected - 1] else None
    if token in _ROMANS:
        value = _ROMANS.index(token) + 1
        if value == previous + 1 or previous == 0:
            return value
    if token.isdigit():
        return None  # "1. ĐÁNH GIÁ" is a numbered heading, not a misread Roman one
    expected = previous + 1
    if expected <= len(_ROMANS) and abs(len(token) - len(_ROMANS[expected - 1])) <= 1:
        return expected
    return None
