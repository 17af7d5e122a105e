"""Exports hold exactly the rows the list shows (every page, in order), neutralised; the
secretary's notices list sorts, filters and exports too."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlmodel import Session

from tests.helpers import login_as, make_assignment
from tests.lists.conftest import HOSTILE, World, shown_ids
from tracker.lists import export
from tracker.lists.notices import COLUMNS as NOTICE_COLUMNS


def _all_pages(client: FlaskClient, url: str) -> list[int]:
    ids: list[int] = []
    while url:
        body = client.get(url).get_data(as_text=True)
        ids += shown_ids(body)
        following = re.search(r'href="([^"]+)" rel="next"', body)
        url = following.group(1).replace("&amp;", "&") if following else ""
    return ids


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads the Vietnamese letters right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _many(session: Session, world: World, count: int) -> None:
    for number in range(count):
        make_assignment(
            session,
            world.notices["n2"],
            world.units["beta"],
            code=f"7.{number}",
            due=world.today + timedelta(days=number % 40),
            text=f"Việc số {number}",
        )
    session.commit()


def test_exports_hold_the_rows_of_every_page_in_their_order(
    client: FlaskClient, session: Session, world: World
) -> None:
    _many(session, world, 70)
    login_as(client, "beta")
    query = "tt=tat-ca&han=30-ngay&sap=tien-do&chieu=giam"
    shown = _all_pages(client, f"/don-vi?{query}")
    assert len(shown) > 50  # more than one page
    body = client.get(f"/don-vi?{query}").get_data(as_text=True)
    # The export links carry the same filters and sort.
    links = re.findall(r'href="([^"]+xuat=(?:csv|xlsx)[^"]*)"', body)
    assert len(links) == 2
    for link in links:
        assert "han=30-ngay" in link and "sap=tien-do" in link and "chieu=giam" in link
    csv_response = client.get(links[0].replace("&amp;", "&"))
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = _csv_rows(csv_response.get_data())
    assert rows[0][0] == "Mã giao việc" and rows[0][4] == "Đơn vị"
    assert [int(row[0]) for row in rows[1:]] == shown
    sheet = _xlsx_rows(client.get(links[1].replace("&amp;", "&")).get_data())
    assert sheet[0][0] == "Mã giao việc"
    assert [row[0] for row in sheet[1:]] == shown
    # Dates are real dates in Excel, dd/mm/yyyy in the CSV.
    first_due = next(row for row in rows[1:] if row[5])
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", first_due[5])


def test_an_export_stops_at_the_cap_and_says_so(
    client: FlaskClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "EXPORT_CAP", 5)
    login_as(client, "thuky")
    response = client.get("/nhiem-vu?tt=tat-ca&xuat=csv")
    rows = _csv_rows(response.get_data())
    assert len(rows) == 1 + 5 + 1
    assert rows[-1][0].startswith("Chỉ xuất 5 dòng đầu trong 8 dòng")
    assert response.headers["X-Rows-Total"] == "8"


def test_a_hostile_title_is_exported_as_text(client: FlaskClient, world: World) -> None:
    login_as(client, "gamma")
    rows = _csv_rows(client.get("/don-vi?xuat=csv").get_data())
    texts = [row[3] for row in rows[1:]]
    assert "'" + HOSTILE in texts  # a leading apostrophe: the spreadsheet shows it as text
    sheet = load_workbook(io.BytesIO(client.get("/don-vi?xuat=xlsx").get_data())).active
    assert sheet is not None
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    hostile = next(cell for cell in cells if cell.value == HOSTILE)
    assert hostile.data_type == "s" and hostile.quotePrefix
    # And the page itself shows it escaped, as text.
    body = client.get("/don-vi").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http" in body or "=HYPERLINK(&quot;http" in body


def test_a_units_export_holds_only_its_own_work(client: FlaskClient, world: World) -> None:
    login_as(client, "beta")
    for kind in ("csv", "xlsx"):
        data = client.get(f"/don-vi?tt=tat-ca&xuat={kind}").get_data()
        ids = (
            [int(row[0]) for row in _csv_rows(data)[1:]]
            if kind == "csv"
            else [row[0] for row in _xlsx_rows(data)[1:]]
        )
        assert set(ids) == world.ids("a1", "a2", "a3", "a4", "a5", "a6")


@pytest.mark.parametrize("key", [column.key for column in NOTICE_COLUMNS])
@pytest.mark.parametrize("descending", [False, True], ids=["tang", "giam"])
def test_the_notices_list_sorts_by_each_column(
    client: FlaskClient, world: World, key: str, descending: bool
) -> None:
    notices = world.notices
    # Tasks and assignments: n1 and n2 have four each, the draft one; overdue: a1 and b1 in
    # n1, the draft's task (due yesterday) in the draft.
    counts = {"n1": (4, 4, 2), "n2": (4, 4, 0), "draft": (1, 1, 1)}
    values = {
        name: {
            "so": notice.number,
            "trich-yeu": notice.title,
            "ky": notice.period,
            "han": notice.default_due,
            "nhiem-vu": counts[name][0],
            "luot-giao": counts[name][1],
            "qua-han": counts[name][2],
            "trang-thai": notice.published_at or notice.created_at,
        }[key]
        for name, notice in notices.items()
    }
    by_id = sorted(notices, key=lambda name: -(notices[name].id or 0))  # the tiebreak
    present = [name for name in by_id if values[name] is not None]
    expected = sorted(present, key=lambda name: values[name], reverse=descending) + [
        name for name in by_id if values[name] is None
    ]
    login_as(client, "thuky")
    direction = "giam" if descending else "tang"
    body = client.get(f"/thong-bao?sap={key}&chieu={direction}").get_data(as_text=True)
    assert shown_ids(body) == [notices[name].id for name in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tt=draft", ["draft"]),
        ("tt=published", ["n1", "n2"]),
        ("han=qua-han", ["n1", "draft"]),  # a1 and b1 (n1); the draft's test task
        ("han=7-ngay", ["n1", "n2"]),  # a2 (n1) and b2 (n2)
        ("loai=done_on_time", ["n2"]),
        ("dv={gamma}", ["n1", "n2"]),
        ("dv={delta}", ["n1"]),
        ("ky={year}-Q2", ["n2"]),
        ("ky={year}", ["n1", "n2"]),
    ],
)
def test_the_notices_list_filters(
    client: FlaskClient, world: World, query: str, expected: list[str]
) -> None:
    login_as(client, "thuky")
    query = query.format(
        gamma=world.units["gamma"].id, delta=world.units["delta"].id, year=world.today.year
    )
    response = client.get(f"/thong-bao?{query}")
    assert response.status_code == 200
    assert set(shown_ids(response.get_data(as_text=True))) == {
        world.notices[name].id for name in expected
    }


def test_the_notices_list_refuses_bad_values_and_exports(client: FlaskClient, world: World) -> None:
    login_as(client, "thuky")
    bad = client.get("/thong-bao?tt=xoa&ky=abc&sap=hack")
    assert bad.status_code == 400
    assert len(shown_ids(bad.get_data(as_text=True))) == 3
    rows = _csv_rows(client.get("/thong-bao?tt=published&sap=so&xuat=csv").get_data())
    assert rows[0][:2] == ["Số", "Trích yếu"]
    assert [row[0] for row in rows[1:]] == ["TB-01", "TB-02"]
    assert rows[1][6] == "2"  # n1's overdue assignments
    sheet = _xlsx_rows(client.get("/thong-bao?tt=published&sap=so&xuat=xlsx").get_data())
    assert [row[0] for row in sheet[1:]] == ["TB-01", "TB-02"]
