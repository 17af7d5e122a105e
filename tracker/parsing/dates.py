"""Periods ("quý II/2021", "6 tháng cuối năm 2024") and deadlines ("trước ngày 15/10")."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.parsing.normalize import match_key

_ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?:19|20)\d\d"
_HALF = rf"(?:6|sáu)\s+tháng\s+(?P<half>đầu|cuối)\s+năm(?:\s+(?P<hy>{_YEAR}))?"
_QUARTER = rf"quý\s+(?P<q>iv|i{{1,3}}|[1-4])(?!\w)(?:\s*(?:/|-|năm)\s*(?P<qy>{_YEAR}))?"
_MONTH = rf"tháng\s+(?P<m>\d{{1,2}})(?:\s*(?:/|-|năm)\s*(?P<my>{_YEAR}))?(?![\d/])"
_WHOLE_YEAR = rf"năm\s+(?P<y>{_YEAR})(?!\s*-)"
_PERIOD = re.compile(rf"(?<!\w)(?:{_HALF}|{_QUARTER}|{_MONTH}|{_WHOLE_YEAR})")

_DAY = (
    r"(?:ngày\s+)?(?P<d>\d{1,2})\s*[/.-]\s*(?P<mo>\d{1,2})"
    rf"(?:\s*[/.-]\s*(?P<yr>{_YEAR}))?(?!\d|\s*[/.-]\s*\d)"
    rf"|ngày\s+(?P<d2>\d{{1,2}})\s+tháng\s+(?P<mo2>\d{{1,2}})(?:\s+năm\s+(?P<yr2>{_YEAR}))?"
)
# Only these words make a date a deadline: dates of cited documents, anniversaries and plan
# years carry none of them.
_DAY_DEADLINE = re.compile(
    r"(?<!\w)(?<!tính\s)(?P<cue>trước|chậm\s+nhất(?:\s+là)?(?:\s+vào)?|hạn\s+chót|"
    r"thời\s+(?:hạn|gian\s+hoàn\s+thành|gian\s+thực\s+hiện)(?:\s+hoàn\s+thành)?\s*:?|"
    r"thời\s+gian\s*:|"
    r"đến|hoàn\s+thành(?:\s+vào)?|xong|"
    rf"kết\s+thúc(?:\s+vào)?|vào(?=\s+ngày))\s+(?:{_DAY})"
)
_SPAN_DEADLINE = re.compile(
    # "theo kế hoạch / mục tiêu … năm 2025", "các nhiệm vụ được giao trong năm 2025": no deadline.
    r"(?<!\w)(?<!kế\shoạch\s)(?<!mục\stiêu\s)(?<!giao\s)"
    r"(?P<cue>trong|trước|cuối|hết|đến\s+hết|đến\s+cuối|vào|hoàn\s+thành(?:\s+trong)?|"
    r"xong\s+trong|chậm\s+nhất(?:\s+là)?(?:\s+vào)?|"
    r"thời\s+(?:hạn|gian\s+hoàn\s+thành|gian\s+thực\s+hiện)\s*:?|thời\s+gian\s*:)\s+"
    rf"(?:{_HALF}|{_QUARTER}|{_MONTH}|{_WHOLE_YEAR})"
)
# Before a period, these make it a horizon, a term or part of a date, not the tasks' period:
# "đến năm 2030", "từ tháng 6/2022 đến nay", "giai đoạn 2026", "trước ngày 30 tháng 11 năm 2025".
_NOT_PERIOD_BEFORE = re.compile(r"(?:từ|đến|tới|giai\s+đoạn|ngày\s+\d{1,2})\s+$")
_EVENT = re.compile(r"(?<!\w)tại\s+(?:hội\s+nghị|buổi|cuộc|phiên)")
_FIELD_CUE = re.compile(r"thời\s+(?:hạn|gian\s+hoàn\s+thành)\b.*:")
_PLAN_WORDS = re.compile(r"nhiệm vụ|phương hướng|triển khai|kế hoạch|chương trình")


@dataclass(frozen=True)
class Period:
    """A reporting period: its contract key ("2021-Q2") and its first and last days."""

    key: str
    first: date
    last: date


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _period(groups: dict[str, str | None], year: int) -> Period | None:
    if groups.get("half"):
        first_half = groups["half"] == "đầu"
        return Period(
            f"{year}-H{1 if first_half else 2}",
            date(year, 1 if first_half else 7, 1),
            date(year, 6, 30) if first_half else date(year, 12, 31),
        )
    if groups.get("q"):
        quarter = _ROMAN_QUARTERS[groups["q"] or ""]
        return Period(
            f"{year}-Q{quarter}", date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
        )
    if groups.get("m"):
        month = int(groups["m"] or 0)
        if not 1 <= month <= 12:
            return None
        return Period(f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month))
    return Period(str(year), date(year, 1, 1), date(year, 12, 31))


def _stated_year(groups: dict[str, str | None]) -> int | None:
    for name in ("hy", "qy", "my", "y"):
        if groups.get(name):
            return int(groups[name] or 0)
    return None


def notice_period(texts: list[str], year: int | None) -> Period | None:
    """The period the tasks are set for: the one after "nhiệm vụ" in the first text naming one."""
    for text in texts:
        key = match_key(text)
        matches = list(_PERIOD.finditer(key))
        # A month or quarter without its year ("quý I, nhiệm vụ quý II năm 2021") borrows the
        # next stated one, else the notice's year.
        stated = [_stated_year(m.groupdict()) for m in matches]
        periods = []
        for n, match in enumerate(matches):
            later = next((y for y in stated[n:] if y), year)
            if later and (match["m"] is None or stated[n]):  # "tháng 5" alone is no period
                periods.append((match.start(), _period(match.groupdict(), later)))
        periods = [(pos, p) for pos, p in periods if p and not _not_a_period(key, pos)]
        if periods:
            plans = [m.end() for m in _PLAN_WORDS.finditer(key)]
            after = [p for pos, p in periods if plans and pos >= plans[-1]]
            if after:
                return after[0]
            event = _EVENT.search(key)
            if event and not plans and periods[-1][0] > event.start():
                return None  # "tại Hội nghị ... năm 2025": the meeting's year, no period set
            return periods[-1][1]
    return None


def _not_a_period(key: str, position: int) -> bool:
    return bool(_NOT_PERIOD_BEFORE.search(key[max(0, position - 20) : position]))


def names_earlier_period(text: str, current: Period | None) -> bool:
    """Whether a heading is about a period that ended before the notice's ("quý I/2021")."""
    if current is None:
        return False
    for match in _PERIOD.finditer(match_key(text)):
        stated = _stated_year(match.groupdict())
        if stated and match["m"] is None:
            period = _period(match.groupdict(), stated)
            if period and period.last < current.first:
                return True
    return False


@dataclass
class Deadline:
    due: date | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (vi, en) pairs


def find_deadline(text: str, year: int | None) -> Deadline:
    """The latest deadline stated in a task, with problems found on the way."""
    key = match_key(text)
    found: list[date] = []
    fields: list[date] = []  # dates of a "Thời gian hoàn thành:" field, which win (B8)
    result = Deadline()
    for match in _DAY_DEADLINE.finditer(key):
        day = int(match["d"] or match["d2"])
        month = int(match["mo"] or match["mo2"])
        stated = match["yr"] or match["yr2"]
        shown = text[match.end("cue") : match.end()].strip()
        if stated is None and year is None:
            result.problems.append(
                (f"Không rõ năm của thời hạn “{shown}”", f"no year for the deadline '{shown}'")
            )
            continue
        try:
            found.append(date(int(stated) if stated else year or 0, month, day))
            if _FIELD_CUE.match(match["cue"]):
                fields.append(found[-1])
        except ValueError:
            result.problems.append((f"Ngày không tồn tại: “{shown}”", f"impossible date '{shown}'"))
    for match in _SPAN_DEADLINE.finditer(key):
        stated = _stated_year(match.groupdict())
        period = _period(match.groupdict(), stated or year or 0) if (stated or year) else None
        if period is None:
            continue
        before = match["cue"] == "trước"  # "trước tháng 6" ends with May
        found.append(period.first - timedelta(days=1) if before else period.last)
        if _FIELD_CUE.match(match["cue"]):
            fields.append(found[-1])
    if found:
        result.due = max(fields or found)
    return result


# "… bảo đảm đến hết tháng 12 năm 2025 giải quyết dứt điểm … về 04 nội dung nêu trên": one
# deadline for every item (CONVENTIONS B9).
_ALL_ITEMS = re.compile(
    r"(?<!\w)(?:\d+|các|những)\s+(?:nội\s+dung|nhiệm\s+vụ|việc)\s+(?:nêu\s+trên|trên\s+đây)"
)
_SENTENCE_STOP = re.compile(r"[.;]")


def deadline_for_all(text: str, year: int | None) -> date | None:
    """The deadline a closing sentence sets for all the items above it, if it sets one."""
    key = match_key(text)
    for match in _ALL_ITEMS.finditer(key):
        start = max(key.rfind(".", 0, match.start()), key.rfind(";", 0, match.start())) + 1
        stop = _SENTENCE_STOP.search(key, match.end())
        found = find_deadline(text[start : stop.start() if stop else len(text)], year)
        if found.due and not found.problems:
            return found.due
    return None
