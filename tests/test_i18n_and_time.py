"""Dates are dd/mm/yyyy in Asia/Ho_Chi_Minh; 'today' is the users' today, not UTC's."""

from datetime import UTC, date, datetime
from unittest.mock import patch

from flask import Flask

from tracker import i18n


def test_dates_are_day_month_year(app: Flask) -> None:
    with app.app_context():
        assert i18n.format_date(date(2021, 4, 9)) == "09/04/2021"
        assert i18n.format_date(None) == ""


def test_timestamps_are_shown_in_local_time(app: Flask) -> None:
    late_evening_utc = datetime(2021, 6, 30, 20, 30, tzinfo=UTC)
    with app.app_context():
        # 20:30 UTC is 03:30 the next morning in Hà Nội / TP.HCM.
        assert i18n.format_datetime(late_evening_utc) == "01/07/2021 03:30"
        assert i18n.format_date(late_evening_utc) == "01/07/2021"


def test_local_today_follows_the_configured_zone(app: Flask) -> None:
    fixed = datetime(2021, 6, 30, 18, 0, tzinfo=UTC)

    class FrozenDateTime(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return fixed.astimezone(tz) if tz else fixed

    with app.app_context(), patch.object(i18n, "datetime", FrozenDateTime):
        assert i18n.local_today() == date(2021, 7, 1)


def test_typed_dates_are_day_month_year_and_links_may_be_iso() -> None:
    from tracker.fields import parse_vn_date

    assert parse_vn_date("30/6/2021") == date(2021, 6, 30)
    assert parse_vn_date("30.06.2021") == date(2021, 6, 30)
    assert parse_vn_date("2021-06-30") == date(2021, 6, 30)
    assert parse_vn_date("31/02/2021") is None
    assert parse_vn_date("6/30/2021") is None  # month 30 does not exist: no US order
    assert parse_vn_date("") is None


def test_one_date_formatter_for_dates_iso_strings_and_nothing() -> None:
    from datetime import datetime

    from tracker.vn_dates import vn_date

    assert vn_date(date(2021, 6, 3)) == "03/06/2021"
    assert vn_date("2021-06-03") == "03/06/2021"  # as the digest items carry dates
    assert vn_date(datetime(2021, 6, 3, 23, 59)) == "03/06/2021"
    assert vn_date(None) == "—" and vn_date(None, empty="") == ""
