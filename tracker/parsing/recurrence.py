"""Recurring tasks: "hằng tháng báo cáo", "định kỳ hàng quý", "mỗi năm" and the like."""

from __future__ import annotations

import re

from tracker.parsing.normalize import match_key

_RECURRENCE = re.compile(
    r"(?<!\w)(?:(?:hằng|hàng|mỗi)\s+|định\s+kỳ\s+(?:(?:hằng|hàng|mỗi)\s+)?)"
    r"(?P<unit>tháng|quý|năm)(?!\s+(?:\d|nay|qua|trước|tới))"
)
_KINDS = {"tháng": "monthly", "quý": "quarterly", "năm": "yearly"}


def find_recurrence(text: str) -> str | None:
    """ "monthly", "quarterly" or "yearly" for the first recurrence phrase, else None."""
    match = _RECURRENCE.search(match_key(text))
    return _KINDS[match["unit"]] if match else None


_WEEKLY = re.compile(r"(?<!\w)(?:hằng|hàng|mỗi)\s+tuần(?!\w)")


def mentions_weekly(text: str) -> bool:
    """ "báo cáo hằng tuần": the contract has no weekly recurrence (CONVENTIONS B13)."""
    return bool(_WEEKLY.search(match_key(text)))
