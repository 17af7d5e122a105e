"""The assignment lists (unit's home, secretary's every assignment, head's drill-down): sort by
each column, every filter, bad filter values, pages that keep the filters, visibility."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import login_as, make_assignment
from tests.lists.conftest import World, shown_ids
from tracker.assignments.asof import category_on
from tracker.lists.assignments import CATEGORY_ORDER, COLUMNS
from tracker.rollups.periods import Period

ALL = ["a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2"]


def _value(world: World, key: str) -> Callable[[str], Any]:
    def value(name: str) -> Any:
        work, notice = world.work[name], world.notice_of[name]
        unit = next(u for u in world.units.values() if u.id == work.unit_id)
        category = category_on(work.status, work.due, work.completed_on, world.today)
        return {
            "nhiem-vu": notice.id,
            "thong-bao": notice.number,
            "don-vi": unit.name,
            "han": work.due,
            "tien-do": work.percent,
            "tinh-trang": CATEGORY_ORDER.index(category),
        }[key]

    return value


def _expected(world: World, key: str, descending: bool) -> list[int]:
    """The order a person expects: by the column, empty values last, ties in creation order."""
    value = _value(world, key)
    by_id = sorted(ALL, key=lambda name: world.work[name].id or 0)
    present = [name for name in by_id if value(name) is not None]
    missing = [name for name in by_id if value(name) is None]
    ordered = sorted(present, key=value, reverse=descending) + missing
    return [world.work[name].id or 0 for name in ordered]


@pytest.mark.parametrize("key", [column.key for column in COLUMNS])
@pytest.mark.parametrize("direction", ["tang", "giam"])
def test_sorting_by_each_column(
    client: FlaskClient, world: World, key: str, direction: str
) -> None:
    login_as(client, "thuky")
    response = client.get(f"/nhiem-vu?tt=tat-ca&sap={key}&chieu={direction}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    descending = direction == "giam"
    assert shown_ids(body) == _expected(world, key, descending)
    # The heading of the sorted column says so, and its link turns the order round.
    sorted_heading = re.findall(
        r'<th scope="col" aria-sort="(ascending|descending)">'
        r'<a class="sort" href="([^"]+)">(.*?)</a>',
        body,
    )
    assert len(sorted_heading) == 1
    assert body.count('aria-sort="none"') == len(COLUMNS) - 1
    state, link, label = sorted_heading[0]
    assert state == ("descending" if descending else "ascending")
    assert ("▼" if descending else "▲") in label
    turned = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert shown_ids(turned) == _expected(world, key, not descending)
    assert "tt=tat-ca" in link


def test_an_unknown_sort_column_is_ignored(client: FlaskClient, world: World) -> None:
    login_as(client, "thuky")
    plain = client.get("/nhiem-vu?tt=tat-ca").get_data(as_text=True)
    forged = client.get("/nhiem-vu?tt=tat-ca&sap=id;DROP TABLE unit--&chieu=giam")
    assert forged.status_code == 200
    assert shown_ids(forged.get_data(as_text=True)) == shown_ids(plain)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["a1", "a2", "a3", "a6"]),  # the unit's home opens on open work
        ("tt=tat-ca", ["a1", "a2", "a3", "a4", "a5", "a6"]),
        ("tt=done", ["a4"]),
        ("tt=cancelled", ["a5"]),
        ("tt=in_progress", ["a1", "a3"]),
        ("tt=tat-ca&loai=done_on_time", ["a4"]),
        ("loai=overdue", ["a1"]),
        ("han=qua-han", ["a1"]),
        ("han=7-ngay", ["a2"]),
        ("han=30-ngay", ["a2", "a3"]),
        ("tt=tat-ca&tu={minus6}&den={plus3}", ["a4", "a2"]),
        ("tt=tat-ca&tu={plus20}", ["a3", "a5"]),
        ("cho=gia-han", ["a3"]),
        ("cho=giai-trinh", ["a1"]),
        ("tb={n1}", ["a1", "a2", "a6"]),
        ("dv={delta}", ["a2"]),
        ("dv={beta}&rieng=1", ["a1", "a3", "a6"]),
        ("dv={beta}", ["a1", "a2", "a3", "a6"]),
    ],
)
def test_each_filter_on_the_units_home(
    client: FlaskClient, world: World, query: str, expected: list[str]
) -> None:
    day = timedelta(days=1)
    query = query.format(
        minus6=(world.today - 6 * day).strftime("%d/%m/%Y"),
        plus3=(world.today + 3 * day).strftime("%d%m%Y"),  # typed on a phone
        plus20=(world.today + 20 * day).strftime("%d/%m/%Y"),
        n1=world.notices["n1"].id,
        delta=world.units["delta"].id,
        beta=world.units["beta"].id,
    )
    login_as(client, "beta")
    response = client.get(f"/don-vi?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert set(shown_ids(response.get_data(as_text=True))) == world.ids(*expected)


def test_the_period_filter_takes_work_due_in_the_period(client: FlaskClient, world: World) -> None:
    period = Period.quarter_of(world.today + timedelta(days=20))
    due = {name: world.work[name].due for name in ALL}
    expected = {name for name, day in due.items() if day and period.start <= day <= period.end}
    login_as(client, "thuky")
    body = client.get(f"/nhiem-vu?tt=tat-ca&ky={period.code}").get_data(as_text=True)
    assert set(shown_ids(body)) == world.ids(*expected)


def test_the_units_home_counts_are_links_to_what_they_count(
    client: FlaskClient, world: World
) -> None:
    login_as(client, "beta")
    body = client.get("/don-vi").get_data(as_text=True)
    tallies = re.findall(
        r'<a class="tally tally-([a-z0-9-]+)[^"]*" href="([^"]+)">\s*'
        r'<span class="tally-count">(\d+)</span>\s*<span class="tally-label">([^<]+)</span>',
        body,
    )
    assert [(key, int(n), label) for key, _, n, label in tallies] == [
        ("qua-han", 1, "Quá hạn"),
        ("7-ngay", 1, "Đến hạn trong 7 ngày"),
        ("gia-han", 1, "Chờ quyết định gia hạn"),
        ("giai-trinh", 1, "Được yêu cầu giải trình"),
    ]
    for _, href, count, _ in tallies:
        listed = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
        assert len(shown_ids(listed)) == int(count)


@pytest.mark.parametrize(
    "query",
    [
        "tt=xoa-het",
        "loai=khong-co",
        "han=mai",
        "tu=31/02/2026",
        "den=hom-nay",
        "tb=abc",
        "dv=99999999999999",
        "ky=2021-Q9",
        "cho=ai",
        "trang=-1",
        "tu=20/01/2026&den=10/01/2026",
    ],
)
def test_a_bad_filter_value_gets_a_message_not_an_error(
    client: FlaskClient, world: World, query: str
) -> None:
    login_as(client, "beta")
    response = client.get(f"/don-vi?{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'class="flash flash-error" role="alert"' in body
    # The bad value is ignored: the list is still there, as without it.
    assert set(shown_ids(body)) == world.ids("a1", "a2", "a3", "a6")


def test_pages_keep_the_filters_and_the_sort(client: FlaskClient, world: World, session) -> None:  # type: ignore[no-untyped-def]
    notice = world.notices["n1"]
    beta = world.units["beta"]
    for number in range(60):
        make_assignment(
            session, notice, beta, code=f"9.{number}", due=world.today - timedelta(days=number + 1)
        )
    session.commit()
    login_as(client, "beta")
    first = client.get("/don-vi?han=qua-han&sap=han&chieu=giam").get_data(as_text=True)
    assert "Hiển thị 1–50 trong 61 nhiệm vụ" in first
    assert len(shown_ids(first)) == 50
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following is not None
    link = following.group(1).replace("&amp;", "&")
    assert (
        "han=qua-han" in link and "sap=han" in link and "chieu=giam" in link and "trang=2" in link
    )
    second = client.get(link).get_data(as_text=True)
    assert len(shown_ids(second)) == 11
    assert "Trang 2/2" in second
    assert not set(shown_ids(first)) & set(shown_ids(second))
    dues = [*shown_ids(first), *shown_ids(second)]
    assert len(dues) == 61
    # A page past the end shows the last one.
    assert shown_ids(client.get("/don-vi?han=qua-han&trang=99").get_data(as_text=True)) == (
        shown_ids(client.get("/don-vi?han=qua-han&trang=2").get_data(as_text=True))
    )


def test_a_unit_never_sees_another_units_work(client: FlaskClient, world: World) -> None:
    login_as(client, "gamma")
    mine = shown_ids(client.get("/don-vi?tt=tat-ca").get_data(as_text=True))
    assert set(mine) == world.ids("b1", "b2")
    # Asking for the other unit's work by its id finds nothing, in the list or the export.
    asked = client.get(f"/don-vi?tt=tat-ca&dv={world.units['beta'].id}")
    assert shown_ids(asked.get_data(as_text=True)) == []
    export = client.get(f"/don-vi?tt=tat-ca&dv={world.units['beta'].id}&xuat=csv")
    assert export.get_data(as_text=True).count("\r\n") == 1  # the headings only
    whole = client.get("/don-vi?tt=tat-ca&xuat=csv").get_data(as_text=True)
    assert "Ban Beta" not in whole and "Ban Delta" not in whole
    # The lists of every assignment are not a unit's to open.
    assert client.get("/nhiem-vu").status_code == 403
    assert client.get("/nhiem-vu?xuat=csv").status_code == 403
    assert client.get("/tong-hop/danh-sach?xuat=xlsx").status_code == 403


def test_drafts_are_never_listed(app: Flask, world: World) -> None:
    for username, page in (("beta", "/don-vi?tt=tat-ca"), ("thuky", "/nhiem-vu?tt=tat-ca")):
        client = app.test_client()
        login_as(client, username)
        body = client.get(page).get_data(as_text=True)
        assert len(shown_ids(body)) >= 4
        assert "Việc trong bản nháp" not in body


def test_the_head_drill_down_sorts_and_filters_overdue(client: FlaskClient, world: World) -> None:
    login_as(client, "lanhdao")
    body = client.get("/tong-hop/danh-sach?loai=overdue&sap=han").get_data(as_text=True)
    assert shown_ids(body) == [world.work["a1"].id, world.work["b1"].id]
    newest = client.get("/tong-hop/danh-sach?loai=overdue&sap=han&chieu=giam")
    assert shown_ids(newest.get_data(as_text=True)) == [world.work["b1"].id, world.work["a1"].id]
    # A delegated part (the commune's) is counted through its parent, as on the dashboard.
    units = client.get(f"/tong-hop/danh-sach?dv={world.units['beta'].id}&rieng=1")
    assert set(shown_ids(units.get_data(as_text=True))) == world.ids("a1", "a3", "a4", "a5", "a6")


def test_a_unit_with_too_many_assignments_to_name_sees_the_same(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.lists import assignments

    login_as(client, "beta")
    named = client.get("/don-vi?tt=tat-ca").get_data(as_text=True)
    monkeypatch.setattr(assignments, "MAX_NAMED_IDS", 1)
    scanned = client.get("/don-vi?tt=tat-ca").get_data(as_text=True)
    assert shown_ids(scanned) == shown_ids(named)
    assert set(shown_ids(scanned)) == world.ids("a1", "a2", "a3", "a4", "a5", "a6")
    counts = re.findall(r'<span class="tally-count">(\d+)</span>', scanned)
    assert counts == re.findall(r'<span class="tally-count">(\d+)</span>', named)
