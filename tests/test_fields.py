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
