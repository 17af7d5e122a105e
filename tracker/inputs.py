"""One converter for what people and links send us: ids, small numbers, years and dates.

Every id in a path, a query string, a hidden field or a chat button goes through `parse_id`,
every year through `year_window`: a value the database cannot hold (an id of 2^63, a year
9999) is refused here with a message, instead of failing deep inside a query with a 500.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context
from werkzeug.routing import BaseConverter, ValidationError

from tracker.errors import N_, InvalidInput

# Ids are PostgreSQL `integer` columns: nothing larger can exist.
MAX_ID = 2**31 - 1
# Dates a notice, a report or an extension may carry unless TRACKER_YEAR_MIN/MAX say otherwise.
DEFAULT_YEARS = (2000, 2100)
_MAX_ID_DIGITS = len(str(MAX_ID))


def _ascii_digits(raw: str) -> bool:
    # str.isdigit() accepts "²" and "٣", which int() then refuses or reads unexpectedly.
    return raw.isascii() and raw.isdigit()


def bounded_int(raw: object, *, minimum: int, maximum: int) -> int | None:
    """`raw` as an int when it is plain ASCII digits within [minimum, maximum], else None."""
    text = str(raw) if raw is not None else ""
    if not text or not _ascii_digits(text) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(raw: object) -> int | None:
    """A record id (1 .. MAX_ID) written in ASCII digits, or None."""
    return bounded_int(raw, minimum=1, maximum=MAX_ID)


def id_arg(raw: str) -> int:
    """For `request.args.get(name, type=id_arg)`: a bad id reads as absent, never as a 500."""
    value = parse_id(raw)
    if value is None:
        raise ValueError(raw)
    return value


def page_arg(raw: str) -> int:
    """For `request.args.get("trang", 1, type=page_arg)`: a page number 1 .. 1,000,000."""
    value = bounded_int(raw, minimum=1, maximum=1_000_000)
    if value is None:
        raise ValueError(raw)
    return value


def year_window() -> tuple[int, int]:
    """The first and last year a date may have in this installation."""
    if has_app_context():
        settings = current_app.extensions.get("tracker.settings")
        if settings is not None:
            return settings.year_min, settings.year_max
    return DEFAULT_YEARS


def year_in_window(year: int) -> bool:
    first, last = year_window()
    return first <= year <= last


def require_date_in_window(day: date) -> None:
    """Refuse a date whose year lies outside the installation's window."""
    first, last = year_window()
    if not first <= day.year <= last:
        raise InvalidInput(
            N_("Năm {year} nằm ngoài khoảng cho phép ({first}–{last}). Kiểm tra lại ngày đã nhập."),
            year=day.year,
            first=first,
            last=last,
        )


class IdConverter(BaseConverter):
    """`<int:...>` in every route: ASCII digits within MAX_ID, else 404 (never a 500)."""

    regex = rf"[0-9]{{1,{_MAX_ID_DIGITS + 8}}}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed

    def to_url(self, value: object) -> str:
        return str(int(str(value)))
