"""Form fields shared by features: dates typed the Vietnamese way (dd/mm/yyyy), choices."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from tracker.i18n import local_today
from tracker.inputs import parse_id, year_in_window, year_window
from tracker.vn_dates import vn_date

_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
# Eight digits with no separator (ddmmyyyy), as people type on a phone's number pad.
_COMPACT_DATE = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")


def parse_vn_date(text: str) -> date | None:
    """'30/6/2021', '30.06.2021', '30-06-2021', '30062021' (or '2021-06-30', as links carry
    it) -> date(2021, 6, 30); None when the text is no real date or its year lies outside the
    installation's window."""
    day = _parse_any_year(text)
    return day if day is not None and year_in_window(day.year) else None


def _parse_any_year(text: str) -> date | None:
    iso = _ISO_DATE.match(text or "")
    match = _DATE.match(text or "") or _COMPACT_DATE.match(text or "")
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif match:
        day, month, year = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


class DateWidget(TextInput):
    """The text field (dd/mm/yyyy, typed) and, beside it, the phone's own date picker.

    The picker is a native <input type="date"> without a name (never posted) and `hidden`:
    without JavaScript only the text field shows and works. static/dates.js shows the picker
    and copies a picked date into the text field as dd/mm/yyyy (and the typed date into the
    picker, so it opens on it). The text field stays the one value the form reads.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        text = super().__call__(field, **kwargs)
        first, last = year_window()
        parsed = getattr(field, "parsed", None)
        picker = Markup(
            '<input type="date" class="date-picker" hidden tabindex="-1" '
            'data-date-for="{id}" aria-label="{label}" min="{first}-01-01" max="{last}-12-31"'
            "{value}>"
        ).format(
            id=kwargs.get("id", field.id),
            label=str(_l("Chọn ngày trên lịch")),
            first=f"{first:04d}",
            last=f"{last:04d}",
            value=Markup(' value="{}"').format(parsed.isoformat()) if parsed else "",
        )
        return Markup('<span class="date-field">{}{}</span>').format(text, picker)


class VNDateField(StringField):
    """A date typed as ngày/tháng/năm; an impossible date (31/02) is refused with advice."""

    widget = DateWidget()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No inputmode="numeric": phones then show a number pad on which "/" cannot be typed.
        # The ordinary keyboard has "/", and eight digits alone (31012027) are accepted too.
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "autocomplete": "off"})
        super().__init__(*args, **kwargs)
        self.parsed: date | None = None

    def process_data(self, value: Any) -> None:
        if isinstance(value, date):
            self.data = vn_date(value)
            self.parsed = value
        else:
            super().process_data(value)

    def pre_validate(self, form: Any) -> None:
        text = (self.data or "").strip()
        self.parsed = None
        if not text:
            return
        self.parsed = parse_vn_date(text)
        outside = _parse_any_year(text)
        if self.parsed is None and outside is not None:
            first, last = year_window()
            raise ValidationError(
                str(
                    _l(
                        "Năm %(year)s nằm ngoài khoảng cho phép (%(first)s–%(last)s). "
                        "Kiểm tra lại ngày '%(text)s'.",
                        year=outside.year,
                        first=first,
                        last=last,
                        text=text,
                    )
                )
            )
        if self.parsed is None:
            # A plain str: a lazy string counts as markup, and what was typed must be escaped.
            raise ValidationError(
                str(
                    _l(
                        "Ngày '%(text)s' không có thật hoặc sai dạng. Nhập ngày/tháng/năm, "
                        "ví dụ %(example)s.",
                        text=text,
                        # An example in the current year reads as advice, not as history.
                        example=f"30/06/{local_today().year}",
                    )
                )
            )


class ChoiceField(SelectField):
    """A select whose refusal of a forged or stale value speaks Vietnamese (WTForms has no
    Vietnamese catalogue, so its own message would reach the page in English)."""

    def pre_validate(self, form: Any) -> None:
        if self.data not in {str(choice[0]) for choice in self.iter_choices()}:
            raise ValidationError(
                str(_l("Lựa chọn này không có trong danh sách. Tải lại trang rồi chọn lại."))
            )


def choices(pairs: list[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class VersionField(HiddenField):
    """The record version a form was drawn from; anything but a plain id means a stale or
    tampered page, refused with advice instead of failing in int()."""

    def pre_validate(self, form: Any) -> None:
        if parse_id(self.data) is None:
            raise ValidationError(str(_l("Trang đã cũ hoặc bị sửa. Tải lại trang rồi nhập lại.")))
