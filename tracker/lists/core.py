"""What every list page shares: declared sort columns, filters read from the query string,
pages with a total, and links that keep the current filters.

Sorting only ever uses the SQL expressions a list declares: the query string names a column
key, never an expression, and an unknown key is ignored. Filters are read by `ArgsReader`,
which turns a bad value into a message for the page (the value is then ignored) instead of an
error: a list is read-only, so the person still sees something useful.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import Select, func
from sqlmodel import Session, select

from tracker.errors import N_, InvalidInput
from tracker.fields import parse_vn_date
from tracker.inputs import bounded_int, parse_id
from tracker.rollups.periods import Period

SORT_ARG, DIRECTION_ARG, PAGE_ARG, EXPORT_ARG = "sap", "chieu", "trang", "xuat"
ASCENDING, DESCENDING = "tang", "giam"
PER_PAGE = 50
MAX_PAGE = 1_000_000

# One sort key's SQL: one or more expressions, given the list's reference date.
SortExpressions = Callable[[date], Sequence[Any]]


@dataclass(frozen=True)
class Column:
    """A column a list may be sorted by: its key in the URL, its heading, its SQL."""

    key: str
    label: str
    expressions: SortExpressions
    # Empty values (no due date) go last whichever way the column is sorted.
    nulls_last: bool = True
    first_descending: bool = False


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False


def read_sort(args: Mapping[str, str], columns: Sequence[Column], default: Sort) -> Sort:
    """The sort the query string asks for; an unknown column is ignored (the default)."""
    key = args.get(SORT_ARG, "")
    if key not in {column.key for column in columns}:
        return default
    return Sort(key, descending=args.get(DIRECTION_ARG, "") == DESCENDING)


def order_by(
    sort: Sort,
    columns: Sequence[Column],
    reference: date,
    tiebreak: Sequence[Any],
) -> list[Any]:
    """ORDER BY terms for `sort`, then `tiebreak` so that pages never overlap."""
    column = next(column for column in columns if column.key == sort.key)
    terms: list[Any] = []
    for expression in column.expressions(reference):
        if column.nulls_last:
            terms.append(expression.is_(None))
        terms.append(expression.desc() if sort.descending else expression.asc())
    return terms + list(tiebreak)


@dataclass
class ArgsReader:
    """Reads filter values from the query string, keeping a message for each bad one."""

    args: Mapping[str, str]
    errors: list[InvalidInput] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)

    def _raw(self, name: str) -> str:
        return (self.args.get(name) or "").strip()

    def _refuse(self, name: str, message: str, **params: Any) -> None:
        self.errors.append(InvalidInput(message, **params))
        self.kept.pop(name, None)

    def choice(self, name: str, allowed: Sequence[str], default: str = "") -> str:
        raw = self._raw(name)
        if not raw:
            return default
        if raw not in allowed:
            self._refuse(name, N_("Giá trị lọc “{value}” không hợp lệ; đã bỏ qua."), value=raw)
            return default
        self.kept[name] = raw
        return raw

    def identifier(self, name: str) -> int | None:
        raw = self._raw(name)
        if not raw:
            return None
        value = parse_id(raw)
        if value is None:
            self._refuse(name, N_("Giá trị lọc “{value}” không hợp lệ; đã bỏ qua."), value=raw)
            return None
        self.kept[name] = str(value)
        return value

    def flag(self, name: str) -> bool:
        if self._raw(name) == "1":
            self.kept[name] = "1"
            return True
        return False

    def day(self, name: str) -> date | None:
        raw = self._raw(name)
        if not raw:
            return None
        value = parse_vn_date(raw)
        if value is None:
            self._refuse(
                name,
                N_(
                    "Ngày “{value}” không có thật hoặc sai dạng: nhập ngày/tháng/năm, "
                    "ví dụ {example}."
                ),
                value=raw,
                example="30/06/2027",
            )
            return None
        self.kept[name] = value.strftime("%d/%m/%Y")
        return value

    def period(self, name: str) -> Period | None:
        raw = self._raw(name)
        if not raw:
            return None
        try:
            value = Period.parse(raw)
        except InvalidInput as error:
            self.errors.append(error)
            return None
        self.kept[name] = value.code
        return value

    def page(self) -> int:
        raw = self._raw(PAGE_ARG)
        if not raw:
            return 1
        value = bounded_int(raw, minimum=1, maximum=MAX_PAGE)
        if value is None:
            self._refuse(PAGE_ARG, N_("Số trang “{value}” không hợp lệ; đã mở trang 1."), value=raw)
            return 1
        return value


@dataclass(frozen=True)
class Page:
    """One page of a list, and how many rows the whole list has."""

    rows: list[Any]
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def count(self) -> int:
        """How many pages the list has (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.per_page, self.total)


def count_rows(session: Session, statement: Select[Any]) -> int:
    """How many rows `statement` returns (its ORDER BY dropped)."""
    inner = statement.order_by(None).subquery()
    return int(session.exec(select(func.count()).select_from(inner)).one())


def fetch_page(
    session: Session, statement: Select[Any], *, number: int, total: int, per_page: int = PER_PAGE
) -> Page:
    """Page `number` of an ordered statement; past the last page, the last page."""
    number = min(max(number, 1), max(1, -(-total // per_page)))
    rows = session.exec(  # type: ignore[call-overload]
        statement.offset((number - 1) * per_page).limit(per_page)
    ).all()
    return Page(rows=list(rows), number=number, total=total, per_page=per_page)


@dataclass(frozen=True)
class Links:
    """Links of one list page that keep its filters and sort: headings, pages, exports."""

    endpoint: str
    filters: Mapping[str, str]
    sort: Sort
    default_sort: Sort
    columns: Sequence[Column]
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def _params(self, sort: Sort | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {**self.fixed, **self.filters}
        sort = sort or self.sort
        if sort != self.default_sort:
            params[SORT_ARG] = sort.key
            params[DIRECTION_ARG] = DESCENDING if sort.descending else ASCENDING
        return params

    def url(self, **changes: Any) -> str:
        """This list with some filters changed (None removes one); back on page 1."""
        params = self._params()
        for name, value in changes.items():
            if value is None or value == "":
                params.pop(name, None)
            else:
                params[name] = value
        return url_for(self.endpoint, **params)

    def only(self, params: Mapping[str, str]) -> str:
        """This list with only `params` as filters (the default sort, page 1)."""
        merged: dict[str, Any] = {**self.fixed, **params}
        return url_for(self.endpoint, **merged)

    def sort_url(self, key: str) -> str:
        """The heading's link: this column, the other way round if it is the current one."""
        column = next(column for column in self.columns if column.key == key)
        if self.sort.key == key:
            target = Sort(key, not self.sort.descending)
        else:
            target = Sort(key, column.first_descending)
        return url_for(self.endpoint, **self._params(target))

    def aria_sort(self, key: str) -> str:
        if self.sort.key != key:
            return "none"
        return "descending" if self.sort.descending else "ascending"

    def arrow(self, key: str) -> str:
        if self.sort.key != key:
            return ""
        return "▼" if self.sort.descending else "▲"

    def page_url(self, number: int) -> str:
        params = self._params()
        if number > 1:
            params[PAGE_ARG] = number
        return url_for(self.endpoint, **params)

    def export_url(self, kind: str) -> str:
        params = self._params()
        params[EXPORT_ARG] = kind
        return url_for(self.endpoint, **params)
