"""Reporting periods: a quarter ("2021-Q2"), a half-year ("2021-H1"), a month ("2021-05") or a
year ("2021"), the codes the parser writes (../shared/docs/parse-format.md); also read as people
write them ("Quý II/2021", "6 tháng đầu năm 2021", "tháng 5/2021", "năm 2021")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.errors import N_, InvalidInput
from tracker.inputs import year_in_window, year_window

_PATTERN = re.compile(r"^(\d{4})(?:-([QH])([1-4])|-(\d{2}))?$")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_NUMBER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_SEPARATOR = r"\s*(?:/|-|năm)\s*"
_WRITTEN = [
    (re.compile(rf"^quý\s+(iv|i{{1,3}}|[1-4]){_SEPARATOR}(\d{{4}})$"), "Q"),
    (re.compile(r"^(?:6|sáu)\s+tháng\s+(đầu|cuối)\s+năm\s+(\d{4})$"), "H"),
    (re.compile(rf"^tháng\s+(\d{{1,2}}){_SEPARATOR}(\d{{4}})$"), "M"),
    (re.compile(r"^năm\s+(\d{4})$"), "Y"),
]


def _code_from_words(text: str) -> str | None:
    """'Quý II/2021' -> '2021-Q2'; None when the words are no period."""
    folded = " ".join(unicodedata.normalize("NFC", text).lower().split())
    for pattern, kind in _WRITTEN:
        match = pattern.match(folded)
        if not match:
            continue
        if kind == "Y":
            return match[1]
        year = match[2]
        if kind == "Q":
            return f"{year}-Q{_NUMBER[match[1]]}"
        if kind == "H":
            return f"{year}-H{1 if match[1] == 'đầu' else 2}"
        return f"{year}-{int(match[1]):02d}"
    return None


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; `kind` is "Q", "H", "M" or "Y"."""

    year: int
    kind: str
    number: int

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period written as "2021-Q2", "2021-H1", "2021-05", "2021" or in words."""
        match = _PATTERN.match(code.strip()) or _PATTERN.match(_code_from_words(code) or "")
        month = int(match[4]) if match and match[4] else None
        if (
            not match
            or (match[2] == "H" and int(match[3]) > 2)
            or (month is not None and not 1 <= month <= 12)
        ):
            raise InvalidInput(
                N_(
                    "Kỳ {code} không hợp lệ: viết 2021-Q2 hoặc Quý II/2021 (quý), 2021-H1 "
                    "(6 tháng), 2021-05 (tháng), 2021 (năm)."
                ),
                code=code,
            )
        if not year_in_window(int(match[1])):
            first, last = year_window()
            raise InvalidInput(
                N_("Kỳ {code} nằm ngoài khoảng năm cho phép ({first}–{last})."),
                code=code,
                first=first,
                last=last,
            )
        if month is not None:
            return cls(int(match[1]), "M", month)
        if match[2] is None:
            return cls(int(match[1]), "Y", 1)
        return cls(int(match[1]), match[2], int(match[3]))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        """The quarter that contains `day`."""
        return cls(day.year, "Q", (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        if self.kind == "M":
            return f"{self.year}-{self.number:02d}"
        return str(self.year) if self.kind == "Y" else f"{self.year}-{self.kind}{self.number}"

    @property
    def months(self) -> int:
        return {"M": 1, "Q": 3, "H": 6, "Y": 12}[self.kind]

    @property
    def start(self) -> date:
        return date(self.year, (self.number - 1) * self.months + 1, 1)

    @property
    def end(self) -> date:
        month = self.number * self.months
        following = date(self.year + 1, 1, 1) if month == 12 else date(self.year, month + 1, 1)
        return following - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, 12 // self.months)

    def label(self) -> tuple[str, dict[str, object]]:
        """A Vietnamese label template and its parameters ("Quý II/2021")."""
        if self.kind == "Q":
            return N_("Quý {number}/{year}"), {"number": ROMAN[self.number], "year": self.year}
        if self.kind == "M":
            return N_("Tháng {number}/{year}"), {"number": self.number, "year": self.year}
        if self.kind == "H":
            if self.number == 1:
                return N_("6 tháng đầu năm {year}"), {"year": self.year}
            return N_("6 tháng cuối năm {year}"), {"year": self.year}
        return N_("Năm {year}"), {"year": self.year}


def quarters_up_to(last: Period, count: int) -> list[Period]:
    """`count` quarters ending with the quarter in which `last` ends, oldest first."""
    quarter = Period.quarter_of(last.end)
    result = [quarter]
    while len(result) < count:
        result.append(result[-1].previous())
    return list(reversed(result))


def period_choices(first_year: int, last_year: int) -> list[Period]:
    """The periods a form offers, latest first: each year with its halves and quarters."""
    choices = []
    for year in range(last_year, first_year - 1, -1):
        choices.append(Period(year, "Y", 1))
        choices += [Period(year, "H", number) for number in (2, 1)]
        choices += [Period(year, "Q", number) for number in (4, 3, 2, 1)]
    return choices
