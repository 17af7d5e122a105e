"""Text people type, made safe to store and to export.

Control characters (NUL included) are dropped wherever a note, comment or answer comes in:
PostgreSQL refuses NUL in text, and Word and Excel files cannot hold most control characters,
so one stored note could make every export of a review fail. Exports clean again, for text
stored before this rule. A cell that starts like a formula is kept as text (OWASP's advice on
CSV and spreadsheet injection).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP), including the
# full-width forms some input methods type.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def strip_control(text: str) -> str:
    """`text` without control characters; line breaks become \\n, tabs stay."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would evaluate this text if it were typed into a cell."""
    return text.startswith(FORMULA_STARTS)
