"""What each role's home page shows: the right rows, the right figures, dates as dd/mm/yyyy."""

from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import login_as, make_assignment, make_notice, make_unit, make_user
from tracker.assignments.models import Assignment
from tracker.assignments.queries import count_by_category
from tracker.assignments.status import Category
from tracker.db import clock_at
from tracker.i18n import local_today

PUBLISHED = datetime(2021, 1, 1, 2, tzinfo=UTC)


def test_unit_sees_its_own_and_child_units_work_only(
    client: FlaskClient, session: Session, app
) -> None:  # type: ignore[no-untyped-def]
    parent = make_unit(session, "HUYEN", "Ban Dân vận Huyện ủy")
    child = make_unit(session, "XA", "Đảng ủy xã Tân Phú", parent=parent)
    other = make_unit(session, "KHAC", "Hội Nông dân tỉnh")
    secretary = make_user(session, "secretary")
    make_user(session, "unit", unit=parent, username="huyen")
    notice = make_notice(session, by=secretary)
    with app.app_context():
        today = local_today()
    make_assignment(
        session, notice, parent, code="1.1", text="Việc của huyện", due=today + timedelta(days=30)
    )
    make_assignment(
        session,
        notice,
        child,
        code="1.2",
        text="Việc của xã",
        due=today - timedelta(days=1),
        status="in_progress",
    )
    make_assignment(session, notice, other, code="1.3", text="Việc của hội nông dân")
    draft = make_notice(session, published=False)
    make_assignment(session, draft, parent, code="9.9", text="Việc trong bản nháp")
    session.commit()

    login_as(client, "huyen")
    body = client.get("/don-vi").get_data(as_text=True)
    assert "Việc của huyện" in body and "Việc của xã" in body
    assert "Việc của hội nông dân" not in body
    assert "Việc trong bản nháp" not in body
    assert (today + timedelta(days=30)).strftime("%d/%m/%Y") in body
    assert "Quá hạn chưa hoàn thành" in body  # the commune's overdue task is flagged


def test_categories_depend_on_the_reference_date(session: Session) -> None:
    # Published on 01/01/2021; a completion counts from its own date.
    with clock_at(PUBLISHED):
        unit = make_unit(session, "U1")
        head = make_user(session, "head")
        secretary = make_user(session, "secretary")
        notice = make_notice(session, by=secretary)
        june_30 = date(2021, 6, 30)
        make_assignment(session, notice, unit, code="1", due=june_30, status="in_progress")
        make_assignment(
            session, notice, unit, code="2", due=june_30, status="done", completed_on=june_30
        )
        make_assignment(
            session,
            notice,
            unit,
            code="3",
            due=june_30,
            status="done",
            completed_on=june_30 + timedelta(days=1),
        )
        make_assignment(session, notice, unit, code="4", due=june_30)
        make_assignment(session, notice, unit, code="5", due=june_30, status="cancelled")
        session.commit()

    on_due_day = count_by_category(session, actor=head, reference=june_30)
    # Completed on 01/07, item 3 is still in progress on 30/06: that day knew no more.
    assert on_due_day[Category.IN_PROGRESS] == 2
    assert on_due_day[Category.NOT_STARTED] == 1
    assert on_due_day[Category.OVERDUE] == 0
    assert on_due_day[Category.DONE_ON_TIME] == 1
    assert on_due_day[Category.DONE_LATE] == 0
    assert on_due_day[Category.CANCELLED] == 1

    next_day = count_by_category(session, actor=head, reference=june_30 + timedelta(days=1))
    assert next_day[Category.OVERDUE] == 2 and next_day[Category.DONE_LATE] == 1
    assert next_day[Category.IN_PROGRESS] == 0 and next_day[Category.NOT_STARTED] == 0


def test_head_page_shows_the_figures(client: FlaskClient, session: Session, app) -> None:  # type: ignore[no-untyped-def]
    unit = make_unit(session, "U1")
    make_user(session, "head", username="lanhdao")
    notice = make_notice(session)
    with app.app_context():
        make_assignment(session, notice, unit, code="1", due=local_today() - timedelta(days=3))
    session.commit()
    login_as(client, "lanhdao")
    body = client.get("/tong-hop").get_data(as_text=True)
    assert "Quá hạn chưa hoàn thành" in body
    assert '<span class="tile-count">1</span>' in body


def test_notices_page_lists_notices_with_counts(client: FlaskClient, session: Session) -> None:
    unit = make_unit(session, "U1")
    make_user(session, "secretary", username="thuky")
    notice = make_notice(session, number="15-TB/BDVTU")
    make_assignment(session, notice, unit, code="1")
    make_notice(session, published=False, number="16-TB/BDVTU")
    session.commit()
    login_as(client, "thuky")
    body = client.get("/thong-bao").get_data(as_text=True)
    assert "15-TB/BDVTU" in body and "Đã ban hành" in body
    assert "16-TB/BDVTU" in body and "Bản nháp" in body


def test_user_text_is_escaped(client: FlaskClient, session: Session) -> None:
    unit = make_unit(session, "U1", "<script>alert(1)</script>")
    make_user(session, "unit", unit=unit, username="donvi")
    notice = make_notice(session)
    make_assignment(session, notice, unit, text="<b>đậm</b> nhiệm vụ")
    session.commit()
    login_as(client, "donvi")
    body = client.get("/don-vi").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body and "&lt;b&gt;đậm&lt;/b&gt;" in body


def test_a_delegated_part_is_not_counted_twice(session: Session) -> None:
    with clock_at(PUBLISHED):
        district = make_unit(session, "HUYEN")
        commune = make_unit(session, "XA", parent=district)
        head = make_user(session, "head")
        notice = make_notice(session)
        parent = make_assignment(session, notice, district, due=date(2021, 6, 30))
        child = Assignment(
            task_id=parent.task_id, unit_id=commune.id, due=parent.due, parent_id=parent.id
        )
        session.add(child)
        session.commit()
    counts = count_by_category(session, actor=head, reference=date(2021, 6, 1))
    assert sum(counts.values()) == 1
