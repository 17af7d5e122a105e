"""Recurring tasks: "hằng tháng báo cáo", "định kỳ hàng quý", "mỗi năm" and the like."""

from __future__ import annotations

import re

from tracker.parsing.normalize import match_key

_RECURRENCE = re.compile(
    r"(?<!\w)(?:(?:hằng|hàng|mỗi)\s+|định\s+kỳ\s+(?:(?:hằng|hàng|mỗi)\s+)?)"
    r"(?P<unit>tháng|quý|năm)(?!\s+(?:\d|nay|qua|trước|tới))"
)
_KINDS = {"tháng": "monthly", "quý": "quarterly", "năm": "yearly"}


# A period word that belongs to something outside the task does not make it recur (A7): an
# existing yearly process ("gắn với công tác thi đua khen thưởng hàng năm", "đánh giá cán bộ
# hằng năm"), or a rate ("sản lượng mỗi tháng đạt 20%").
_OUTSIDE_BEFORE = re.compile(
    r"(?:thi\s+đua|khen\s+thưởng|đánh\s+giá|xếp\s+loại|kiểm\s+điểm|sản\s+lượng|khối\s+lượng|"
    r"bình\s+quân|trung\s+bình)(?:\s+[^\W\d_]+){0,3}\s*$"
)
_RATE_AFTER = re.compile(r"\s+(?:đạt|tăng|giảm)(?!\w)")


def find_recurrence(text: str) -> str | None:
    """ "monthly", "quarterly" or "yearly" for the first recurrence phrase, else None."""
    key = match_key(text)
    for match in _RECURRENCE.finditer(key):
        before = key[max(0, match.start() - 40) : match.start()]
        if _OUTSIDE_BEFORE.search(before) or _RATE_AFTER.match(key, match.end()):
            continue
        return _KINDS[match["unit"]]
    return None


_WEEKLY = re.compile(r"(?<!\w)(?:hằng|hàng|mỗi)\s+tuần(?!\w)")


def mentions_weekly(text: str) -> bool:
    """ "báo cáo hằng tuần": the contract has no weekly recurrence (CONVENTIONS B13)."""
    return bool(_WEEKLY.search(match_key(text)))
