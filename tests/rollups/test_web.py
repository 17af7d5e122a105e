"""The dashboard and the review pages through the web: figures, links, forms, access."""

from __future__ import annotations

import re

import pytest
from flask import render_template
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import csrf_token, login_as
from tests.rollups.conftest import JULY_1, World
from tracker.rollups import explanations, reviews
from tracker.rollups.models import ExplanationRequest, Review, ReviewComment
from tracker.rollups.periods import Period


def tile(body: str, label: str) -> tuple[str, str]:
    """(href, count) of the dashboard tile with this label."""
    match = re.search(
        r'<a class="tile[^"]*" href="([^"]+)">\s*<span class="tile-count">([^<]+)</span>\s*'
        rf'<span class="tile-label">{re.escape(label)}</span>',
        body,
    )
    assert match, label
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_dashboard_figures_follow_the_reference_date(client: FlaskClient, world: World) -> None:
    login_as(client, "lanhdao")
    june = client.get("/tong-hop?ngay=2021-06-30").get_data(as_text=True)
    july = client.get("/tong-hop?ngay=2021-07-01").get_data(as_text=True)
    assert tile(june, "Quá hạn chưa hoàn thành")[1] == "2"
    href, count = tile(july, "Quá hạn chưa hoàn thành")
    # b4 is completed on 05/07: on 01/07 it is overdue, not done.
    assert count == "5" and tile(july, "Tổng số nhiệm vụ")[1] == "11"
    assert tile(july, "Tỷ lệ hoàn thành")[1] == "30%"
    # The figure links to the list it counts, and that list has as many lines.
    listing = client.get(href).get_data(as_text=True)
    assert "<strong>5</strong>" in listing
    assert listing.count('class="badge badge-overdue"') == 5


def test_filters_drill_down_and_charts(client: FlaskClient, world: World) -> None:
    login_as(client, "lanhdao")
    tinh = world.units["TINH"].id
    body = client.get(f"/tong-hop?ngay=2021-07-01&ky=2021-Q2&dv={tinh}").get_data(as_text=True)
    assert tile(body, "Tổng số nhiệm vụ")[1] == "5"
    # Under the province board: its two districts, ranked (both 0% done, Bình Sơn fewer
    # overdue), then the board's own work.
    names = re.findall(r'<td data-label="Đơn vị">\s*(?:<a [^>]*>)?([^<▸]+?)\s*(?:▸</a>)?\s*<', body)
    assert names[:3] == [
        "Ban Dân vận Huyện ủy Bình Sơn",
        "Ban Dân vận Huyện ủy An Phú",
        "Ban Dân vận Tỉnh ủy",
    ]
    assert "nhiệm vụ giao trực tiếp" in body
    assert 'id="chart-unit-status"' in body and 'id="chart-trend"' in body
    # Nothing inline (the strict content security policy): scripts only from our own files.
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts == ['<script src="/static/dates.js" defer>']
    assert "<style" not in body and ' style="' not in body
    assert "/tong-hop/bieu-do.css" in body
    n2 = world.notices["n2"].id
    by_notice = client.get(f"/tong-hop?ngay=2021-07-01&tb={n2}").get_data(as_text=True)
    assert "Công tác vận động quần chúng" in by_notice
    css = client.get("/tong-hop/bieu-do.css")
    assert css.mimetype == "text/css" and "#chart-trend" in css.get_data(as_text=True)


def test_own_work_and_subtree_lists(client: FlaskClient, world: World) -> None:
    login_as(client, "lanhdao")
    tinh = world.units["TINH"].id
    subtree = client.get(f"/tong-hop/danh-sach?ngay=2021-07-01&dv={tinh}").get_data(as_text=True)
    own = client.get(f"/tong-hop/danh-sach?ngay=2021-07-01&dv={tinh}&rieng=1")
    assert "<strong>8</strong>" in subtree
    assert "<strong>1</strong>" in own.get_data(as_text=True)
    assert client.get("/tong-hop/danh-sach?loai=khong-co").status_code == 400
    assert client.get("/tong-hop?ky=2021-Q9").status_code == 400


def test_paging_ignores_query_keys_meant_for_url_for(client: FlaskClient, world: World) -> None:
    # ?_method=X used to reach url_for, which then failed to build the paging links (a 500).
    login_as(client, "lanhdao")
    response = client.get("/tong-hop/danh-sach?ngay=2021-07-01&trang=2&_method=DELETE")
    assert response.status_code == 200
    links = re.findall(r'href="([^"]*)"', response.get_data(as_text=True))
    assert links and not [link for link in links if "_method" in link]


@pytest.mark.parametrize(("username", "expected"), [("lanhdao", 200), ("thuky", 200), ("hoi", 403)])
def test_who_opens_the_rollup_pages(
    client: FlaskClient, world: World, username: str, expected: int
) -> None:
    login_as(client, username)
    for page in ("/tong-hop", "/tong-hop/danh-sach", "/giao-ban"):
        assert client.get(page).status_code == expected, page


def test_review_flow(client: FlaskClient, session: Session, world: World) -> None:
    login_as(client, "lanhdao")
    token = csrf_token(client, "/giao-ban")
    opened = client.post("/giao-ban", data={"period": "2021-Q2", "csrf_token": token})
    assert opened.status_code == 302
    review = session.exec(select(Review)).one()
    page = f"/giao-ban/{review.id}"
    body = client.get(page).get_data(as_text=True)
    assert "Kỳ giao ban Quý II/2021" in body and "Quý I/2021" in body
    hoi = world.units["HOI"].id
    client.post(f"{page}/nhan-xet", data={"unit_id": hoi, "body": "Chậm.", "csrf_token": token})
    client.post(
        f"{page}/giai-trinh",
        data={"unit_id": hoi, "message": "Đề nghị giải trình.", "csrf_token": token},
    )
    assert client.post(f"{page}/chot", data={"csrf_token": token}).status_code == 302
    session.expire_all()
    assert not session.get(Review, review.id).is_frozen  # no meeting date: nothing frozen
    unconfirmed = {"meeting_on": "2021-07-01", "csrf_token": token}
    assert client.post(f"{page}/chot", data=unconfirmed).status_code == 302
    session.expire_all()
    assert not session.get(Review, review.id).is_frozen  # final: not without the confirmation
    frozen = client.post(f"{page}/chot", data={**unconfirmed, "confirm": "y"})
    assert frozen.status_code == 302
    session.expire_all()
    assert session.get(Review, review.id).is_frozen
    assert session.exec(select(ReviewComment)).one().body == "Chậm."
    body = client.get(page).get_data(as_text=True)
    assert "Đã chốt số liệu tại ngày họp 01/07/2021" in body
    assert "người chốt: Người dùng head" in body  # who froze it, and when, for the secretary
    assert "Đề nghị giải trình." in body and "Chưa giải trình" in body
    assert "Viết nhận xét" not in body  # comments are closed once frozen
    items = client.get(f"{page}/nhiem-vu?loai=overdue").get_data(as_text=True)
    assert items.count('class="badge badge-overdue"') == 5

    # The unit answers from its assignment page and comes back to it.
    request = session.exec(select(ExplanationRequest)).first()
    assert request is not None
    client.post("/dang-xuat", data={"csrf_token": token})
    login_as(client, "hoi")
    answer = client.post(
        f"/giai-trinh/{request.id}/tra-loi",
        data={
            "answer": "Do mưa bão.",
            "next": f"/nhiem-vu/{request.assignment_id}",
            "csrf_token": csrf_token(client, "/don-vi"),
        },
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/nhiem-vu/{request.assignment_id}"
    session.expire_all()
    assert session.get(ExplanationRequest, request.id).answer == "Do mưa bão."
    elsewhere = client.post(
        f"/giai-trinh/{request.id}/tra-loi",
        data={
            "answer": "x",
            "next": "https://evil.example/",
            "csrf_token": csrf_token(client, "/don-vi"),
        },
    )
    assert elsewhere.headers["Location"] == "/"


def test_explanations_partial(app, client: FlaskClient, session: Session, world: World) -> None:  # type: ignore[no-untyped-def]
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    [asked, _b4] = explanations.request_for_unit(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=world.units["HOI"].id,
        message="Vì sao chậm?",
        today=JULY_1,
    )
    session.commit()
    items = explanations.for_assignment(
        session, actor=world.users["hoi"], assignment_id=asked.assignment_id
    )
    with app.test_request_context("/nhiem-vu/1"):
        html = render_template("rollups/_explanations.html", explanations=items)
    assert "Vì sao chậm?" in html and f'action="/giai-trinh/{asked.id}/tra-loi"' in html
    assert 'name="answer"' in html and 'name="next" value="/nhiem-vu/1"' in html
    head_view = explanations.for_assignment(
        session, actor=world.head, assignment_id=asked.assignment_id
    )
    with app.test_request_context("/nhiem-vu/1"):
        html = render_template("rollups/_explanations.html", explanations=head_view)
    assert 'name="answer"' not in html and "Đơn vị chưa giải trình." in html
