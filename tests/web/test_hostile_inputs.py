"""Hostile ids, numbers, dates and strings at every route, as every role: never a 500, and a
refusal writes nothing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

from tests.helpers import login_as, make_assignment, make_notice, make_unit, make_user
from tracker.assignments import extensions
from tracker.errors import InvalidInput
from tracker.inputs import MAX_ID, bounded_int, parse_id
from tracker.rollups.periods import Period

ROLES = ["anonymous", "unit", "secretary", "head", "admin"]
HOSTILE_IDS = ["9223372036854775808", str(MAX_ID + 1), "0", "²", "٣"]
HOSTILE_TEXT = [
    "",
    "²",
    "\x00",
    "a\x07b\x1b[31m",
    "31/12/9999",
    "01/01/0001",
    "0000",
    "9999-Q4",
    "2021-Q9",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "9223372036854775808",
    "Quý II/2021",
]
# Query and form names the views read (ids, pages, years, dates, periods, filters).
FIELD_NAMES = [
    "trang", "dv", "tb", "ngay", "nam", "ky", "q", "version", "percent", "due", "day",
    "requested_due", "note", "reason", "unit", "units", "user", "channel", "stamp", "next",
    "period", "meeting_on", "notice", "category", "lang", "unit_id", "task_id", "status",
]  # fmt: skip

_CONVERTER_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def _seed(session: Session) -> dict[str, str]:
    unit = make_unit(session, "U1", "Ủy ban MTTQ tỉnh")
    users = {
        "unit": make_user(session, "unit", unit=unit, username="fz-unit"),
        "secretary": make_user(session, "secretary", username="fz-secretary"),
        "head": make_user(session, "head", username="fz-head"),
        "admin": make_user(session, "admin", username="fz-admin"),
    }
    notice = make_notice(session, by=users["secretary"])
    make_assignment(session, notice, unit, due=date(2026, 12, 31))
    make_notice(session, published=False, by=users["secretary"])
    session.commit()
    return {role: user.username for role, user in users.items()}


def _row_count(engine: Engine) -> int:
    """Rows in every table, in one statement (it runs around each of thousands of requests)."""
    counts = [select(func.count()).select_from(t) for t in SQLModel.metadata.sorted_tables]
    with engine.connect() as connection:
        return int(
            connection.execute(select(sum(c.scalar_subquery() for c in counts))).scalar_one()
        )


def _routes(app: Flask) -> list[tuple[str, list[str], list[str]]]:
    """(rule, methods, argument names) for every route but static files."""
    result = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted(set(rule.methods or ()) & {"GET", "POST"})
        result.append((rule.rule, methods, [m[2] for m in _CONVERTER_ARG.finditer(rule.rule)]))
    return result


def _url(rule: str, values: dict[str, str]) -> str:
    return _CONVERTER_ARG.sub(lambda m: values.get(m[2], "1"), rule)


@pytest.fixture
def fuzz_client(app: Flask, session: Session) -> tuple[dict[str, str], Flask]:
    # CSRF off so that hostile form values reach the forms and services behind it.
    app.config["WTF_CSRF_ENABLED"] = False
    return _seed(session), app


def _signed_in(app: Flask, usernames: dict[str, str], role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        assert login_as(client, usernames[role]).status_code == 302
    return client


def _request(client: FlaskClient, method: str, url: str, fields: dict[str, Any]) -> int:
    if method == "GET":
        return client.get(url, query_string=fields).status_code
    return client.post(url, data=fields).status_code


@pytest.mark.parametrize("role", ROLES)
def test_hostile_ids_in_every_path_are_refused_without_a_500(
    fuzz_client: tuple[dict[str, str], Flask], engine: Engine, role: str
) -> None:
    usernames, app = fuzz_client
    client = _signed_in(app, usernames, role)
    failures = []
    for rule, methods, args in _routes(app):
        if not args:
            continue
        for hostile in HOSTILE_IDS:
            url = _url(rule, dict.fromkeys(args, hostile))
            for method in methods:
                before = _row_count(engine)
                status = _request(client, method, url, {"dv": hostile, "trang": hostile})
                if status >= 500:
                    failures.append(f"{method} {url}: {status}")
                elif status >= 400 and _row_count(engine) != before:
                    failures.append(f"{method} {url}: refused ({status}) but wrote rows")
    assert failures == []


# The values that reach parsing code from a link (the rest is covered by the form test).
QUERY_VALUES = ["²", "\x00", "31/12/9999", "01/01/0001", "9999-Q4", "9223372036854775808"]
QUERY_NAMES = ["trang", "dv", "tb", "ngay", "nam", "ky", "q", "status", "category", "unit", "day"]


@pytest.mark.slow
def test_each_hostile_value_in_each_query_field_of_each_page_gets_no_500(
    fuzz_client: tuple[dict[str, str], Flask],
) -> None:
    usernames, app = fuzz_client
    failures = []
    for role in ROLES[1:]:
        client = _signed_in(app, usernames, role)
        # The pages this role may open: a refusal at the door would hide the field's handling.
        pages = [
            url
            for rule, methods, args in _routes(app)
            if "GET" in methods
            and client.get(url := _url(rule, dict.fromkeys(args, "1"))).status_code == 200
        ]
        for url in pages:
            for name in QUERY_NAMES:
                for hostile in QUERY_VALUES:
                    status = client.get(url, query_string={name: hostile}).status_code
                    if status >= 500:
                        failures.append(f"{role} GET {url}?{name}={hostile!r}: {status}")
    assert failures == []


@pytest.mark.slow
def test_hostile_values_in_every_form_field_are_refused_without_a_500_or_a_write(
    fuzz_client: tuple[dict[str, str], Flask], engine: Engine
) -> None:
    usernames, app = fuzz_client
    clients = {role: _signed_in(app, usernames, role) for role in ROLES}
    failures = []
    for hostile in HOSTILE_TEXT:
        fields = dict.fromkeys(FIELD_NAMES, hostile)
        for rule, methods, args in _routes(app):
            if "POST" not in methods:
                continue
            url = _url(rule, dict.fromkeys(args, "1"))
            for role, client in clients.items():
                before = _row_count(engine)
                status = client.post(url, data=fields).status_code
                if status >= 500:
                    failures.append(f"{role} POST {url} {hostile!r}: {status}")
                elif status >= 400 and _row_count(engine) != before:
                    failures.append(f"{role} POST {url} {hostile!r}: refused, wrote rows")
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path_value=st.one_of(st.sampled_from(HOSTILE_IDS), st.integers(0, 2**70).map(str)),
    fields=st.dictionaries(
        st.sampled_from(FIELD_NAMES),
        st.one_of(
            st.sampled_from(HOSTILE_TEXT),
            st.text(max_size=40),
            st.integers(-(2**70), 2**70).map(str),
            st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
        ),
        max_size=6,
    ),
)
def test_random_input_at_every_route_never_answers_500(
    fuzz_client: tuple[dict[str, str], Flask],
    engine: Engine,
    role: str,
    path_value: str,
    fields: dict[str, str],
) -> None:
    usernames, app = fuzz_client
    client = _signed_in(app, usernames, role)
    for rule, methods, args in _routes(app):
        url = _url(rule, dict.fromkeys(args, path_value))
        for method in methods:
            before = _row_count(engine)
            status = _request(client, method, url, fields)
            assert status < 500, f"{role} {method} {url} {fields!r}: {status}"
            if status >= 400:
                assert _row_count(engine) == before, f"{method} {url} {fields!r} wrote rows"


@pytest.mark.parametrize("raw", ["²", "٣", " 12", "-1", "0", str(MAX_ID + 1), "2" * 40, "", None])
def test_only_plain_ascii_ids_in_range_are_ids(raw: str | None) -> None:
    assert parse_id(raw) is None


def test_ids_and_bounded_numbers_are_read() -> None:
    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert bounded_int("100", minimum=0, maximum=100) == 100
    assert bounded_int("101", minimum=0, maximum=100) is None


@pytest.mark.parametrize("code", ["0000", "9999-Q4", "1999", "2101-H1"])
def test_periods_outside_the_year_window_are_refused_with_a_message(code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Period.parse(code)
    assert "nằm ngoài khoảng" in str(refused.value)


def test_a_due_date_in_year_9999_cannot_be_requested(session: Session) -> None:
    unit = make_unit(session, "U9")
    requester = make_user(session, "unit", unit=unit)
    assignment = make_assignment(session, make_notice(session), unit, due=date(2026, 12, 31))
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        extensions.request_extension(
            session,
            actor=requester,
            assignment_id=assignment.id,
            requested_due=date(9999, 12, 31),
            reason="Chờ ý kiến",
            today=date(2026, 12, 5),
        )
    assert "9999" in str(refused.value)
