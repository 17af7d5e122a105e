"""Date fields: the ways people type a date on a phone, and a keyboard on which they can."""

from datetime import date

import pytest
from flask import Flask
from flask_wtf import FlaskForm

from tracker.fields import VNDateField, parse_vn_date


@pytest.mark.parametrize(
    "typed", ["31012027", "31.01.2027", "31-01-2027", "31/01/2027", " 31/1/2027 "]
)
def test_a_date_is_accepted_in_every_way_a_phone_lets_people_type_it(typed: str) -> None:
    assert parse_vn_date(typed) == date(2027, 1, 31)


@pytest.mark.parametrize("typed", ["31022027", "3101202", "310120271", "20270131", "31 01 2027x"])
def test_eight_digits_that_are_no_day_month_year_are_refused(typed: str) -> None:
    assert parse_vn_date(typed) is None


class _Form(FlaskForm):
    class Meta:
        csrf = False

    due = VNDateField("Hạn")


def test_the_field_brings_up_a_keyboard_with_a_slash_and_shows_dd_mm_yyyy(
    app: Flask,
) -> None:
    with app.test_request_context(method="POST", data={"due": "31012027"}):
        form = _Form()
        assert form.validate()
        assert form.due.parsed == date(2027, 1, 31)
        html = str(form.due())
    # inputmode="numeric" brings up a number pad without "/" on phones.
    assert "inputmode" not in html
    assert 'placeholder="dd/mm/yyyy"' in html
    with app.test_request_context():
        shown = str(_Form(data={"due": date(2027, 1, 31)}).due())
    assert 'value="31/01/2027"' in shown


def test_the_phones_date_picker_sits_beside_the_typed_field_without_a_name(app: Flask) -> None:
    with app.test_request_context(method="POST", data={"due": "31012027"}):
        form = _Form()
        form.validate()
        html = str(form.due())
    # The text field is what is posted; the picker has no name and is hidden until dates.js
    # shows it, so without JavaScript the text field alone works.
    assert 'type="text"' in html and 'name="due"' in html
    picker = html[html.index('type="date"') :]
    assert "name=" not in picker.split(">")[0]
    assert 'data-date-for="due"' in picker and " hidden" in picker
    assert 'value="2027-01-31"' in picker  # opens on the typed day
    page = app.test_client().get("/dang-nhap").get_data(as_text=True)
    assert "/static/dates.js" in page
