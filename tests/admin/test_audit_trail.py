"""The admin's audit trail: filtered by person, action and days (typed the Vietnamese way), the
filters kept in the address and the pager, each row linked to what it changed when the admin
may open it."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.admin.test_admin_views import admin_client
from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.audit import wording
from tracker.audit.models import AuditEvent
from tracker.pagination import PER_PAGE

TRAIL = "/quan-tri/nhat-ky"


def _event(
    session: Session,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    when: datetime,
    **changes: list,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=changes,
        occurred_at=when,
    )
    session.add(event)
    session.flush()
    return event


def _page(client: FlaskClient, query: str = "") -> tuple[int, str]:
    response = client.get(f"{TRAIL}?{query}" if query else TRAIL)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def _rows(page: str) -> str:
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_the_trail_is_filtered_by_person_action_and_days(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    lan = make_user(session, "admin", username="lan")
    lan.full_name = "Nguyễn Thị Lan"
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    group_unit = make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh")
    # 30/01/2027 23:30 and 31/01/2027 01:00 in Hà Nội: a day ends at 17:00 UTC.
    evening = datetime(2027, 1, 30, 16, 30, tzinfo=UTC)
    night = datetime(2027, 1, 30, 18, 0, tzinfo=UTC)
    _event(session, lan, "unit.updated", "unit", unit.id, evening, name=["Hội ND", "HND tỉnh"])
    _event(session, lan, "unit.created", "unit", group_unit.id, night, name=[None, "MTTQ tỉnh"])
    _event(session, None, "unit.updated", "unit", unit.id, night, aliases=[[], ["Nông hội"]])
    session.commit()

    status, page = _page(client, f"person={lan.id}")
    assert status == 200
    rows = _rows(page)
    assert "Hội ND → HND tỉnh" in rows and "MTTQ tỉnh" in rows and "Nông hội" not in rows
    status, page = _page(client, "person=he-thong")
    assert "Hệ thống cập nhật đơn vị" in _rows(page) and "Hội ND" not in _rows(page)
    status, page = _page(client, "action=unit.created")
    rows = _rows(page)
    assert "thêm đơn vị MTTQ tỉnh" in rows and "Hội ND" not in rows
    assert '<option selected value="unit.created">Thêm đơn vị</option>' in page

    # Days are the users' days: 31/01/2027 starts at 17:00 UTC on the 30th.
    status, page = _page(client, "since=31012027")
    rows = _rows(page)
    assert "MTTQ tỉnh" in rows and "Nông hội" in rows and "Hội ND" not in rows
    status, page = _page(client, "since=30/01/2027&until=30.01.2027")
    rows = _rows(page)
    assert "Hội ND" in rows and "MTTQ tỉnh" not in rows
    status, page = _page(client, f"person={lan.id}&action=unit.updated&until=31/01/2027")
    rows = _rows(page)
    assert "Hội ND" in rows and "MTTQ tỉnh" not in rows and "Nông hội" not in rows


def test_kinds_of_change_without_a_name_are_filtered_as_other_kinds(
    client: FlaskClient, session: Session
) -> None:
    admin = admin_client(client, session)
    when = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    _event(session, admin, "thu.moi", "test", 1, when)
    session.commit()
    status, page = _page(client)
    assert '<option value="khac">Việc khác</option>' in page and "thu.moi" not in page
    status, page = _page(client, "action=khac")
    rows = _rows(page)
    assert status == 200 and "thay đổi dữ liệu" in rows and "tạo tài khoản" not in rows


def test_bad_filters_are_explained_not_crashed(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    status, page = _page(client, "since=31/02/2027")
    assert status == 400 and "Ngày '31/02/2027' không có thật" in page
    status, page = _page(client, "since=02/02/2027&until=01/02/2027")
    assert status == 400 and "sau ngày kết thúc" in page
    status, page = _page(client, "person=99999999999&action=x.y")
    assert status == 400 and "không có trong danh sách" in page


def test_the_pager_keeps_the_filters(client: FlaskClient, session: Session) -> None:
    admin = admin_client(client, session)
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    start = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    for minute in range(PER_PAGE + 3):
        when = start + timedelta(minutes=minute)
        _event(session, admin, "unit.updated", "unit", unit.id, when, name=["a", f"n{minute}"])
    _event(session, admin, "user.created", "user", admin.id, start, username=[None, "x"])
    session.commit()
    status, page = _page(client, "action=unit.updated&since=01/03/2027")
    assert status == 200 and _rows(page).count("<tr>") == PER_PAGE
    older = "/quan-tri/nhat-ky?trang=2&action=unit.updated&since=01/03/2027"
    assert f'href="{older}"' in page.replace("&amp;", "&")
    status, page = _page(client, older.split("?", 1)[1])
    rows = _rows(page)
    assert rows.count("<tr>") == 3 and "tạo tài khoản" not in rows


def test_each_row_links_to_what_it_changed_when_the_reader_may_open_it(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    admin = admin_client(client, session)
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    secretary = make_user(session, "secretary")
    notice = make_notice(session, by=secretary, number="12-TB/TU")
    assignment = make_assignment(session, notice, unit)
    when = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    _event(session, admin, "unit.updated", "unit", unit.id, when, name=["a", "b"])
    _event(session, admin, "user.updated", "user", secretary.id, when, full_name=["a", "b"])
    _event(session, secretary, "assignment.created", "assignment", assignment.id, when)
    _event(session, secretary, "conclusion.published", "conclusion", notice.id, when)
    session.commit()

    status, page = _page(client)
    assert status == 200
    assert f'<a href="/quan-tri/don-vi/{unit.id}">Hội Nông dân tỉnh</a>' in page
    assert f'<a href="/quan-tri/tai-khoan/{secretary.id}">' in page
    # The admin cannot open assignments or notices: named, not linked (a link would be a 403).
    assert "12-TB/TU · 1.1 · Hội Nông dân tỉnh" in page
    assert f"/nhiem-vu/{assignment.id}" not in page and f"/thong-bao/{notice.id}" not in page

    events = [(event, None) for event in session.exec(select(AuditEvent)).all()]
    with app.test_request_context():
        for_secretary = wording.describe(session, events, reader=secretary)
        linked = " ".join(str(entry.subject) for entry in for_secretary)
    assert f'/nhiem-vu/{assignment.id}"' in linked and f'/thong-bao/{notice.id}"' in linked
    assert f"/quan-tri/don-vi/{unit.id}" not in linked
