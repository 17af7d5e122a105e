"""Reporting periods: a quarter ("2021-Q2"), a half-year ("2021-H1") or a year ("2021")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.errors import N_, InvalidInput
from tracker.inputs import year_in_window, year_window

_PATTERN = re.compile(r"^(\d{4})(?:-([QH])([1-4]))?$")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; `kind` is "Q", "H" or "Y"."""

    year: int
    kind: str
    number: int

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period written as "2021-Q2", "2021-H1" or "2021"."""
        match = _PATTERN.match(code.strip())
        if not match or (match[2] == "H" and int(match[3]) > 2):
            raise InvalidInput(
                N_("Kỳ {code} không hợp lệ: viết 2021-Q2 (quý), 2021-H1 (6 tháng), 2021 (năm)."),
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
        if match[2] is None:
            return cls(int(match[1]), "Y", 1)
        return cls(int(match[1]), match[2], int(match[3]))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        """The quarter that contains `day`."""
        return cls(day.year, "Q", (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return str(self.year) if self.kind == "Y" else f"{self.year}-{self.kind}{self.number}"

    @property
    def months(self) -> int:
        return {"Q": 3, "H": 6, "Y": 12}[self.kind]

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
