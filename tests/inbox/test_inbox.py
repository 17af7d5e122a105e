"""The in-app inbox: fed by the outbox's web channel, one entry per event, read, dismissed,
counted in the header; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.assignments.conftest import DUE, World, world
from tests.helpers import csrf_token, deliver_inbox, login_as, make_assignment, make_notice
from tracker.accounts.models import ChatLink
from tracker.assignments.extensions import decide_extension, request_extension
from tracker.config import TelegramSettings
from tracker.db import clock_at, utcnow
from tracker.inbox import events
from tracker.inbox.models import InboxEntry
from tracker.inbox.planning import plan_inbox
from tracker.notices.models import Conclusion, Task
from tracker.reminders.models import OutboxMessage
from tracker.rollups import explanations, reviews
from tracker.rollups.models import ExplanationRequest
from tracker.rollups.periods import Period

__all__ = ["world"]

ASKED_ON = date(2021, 7, 5)


def entries_of(session: Session, user_id: int) -> list[InboxEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(InboxEntry).where(InboxEntry.user_id == user_id).order_by(InboxEntry.id)
        ).all()
    )


def notice_of(session: Session, world: World) -> Conclusion:
    task = session.get(Task, world.assignment.task_id)
    assert task is not None
    notice = session.get(Conclusion, task.conclusion_id)
    assert notice is not None
    return notice


def ask_for_explanations(session: Session, world: World) -> list[ExplanationRequest]:
    """The head asks the district (and its commune) about three overdue tasks at once."""
    notice = notice_of(session, world)
    # Published with the first task, so the review's figures count them.
    with clock_at(datetime(2021, 1, 4, 2, tzinfo=UTC)):
        make_assignment(session, notice, world.district, code="1.2", due=DUE)
        make_assignment(session, notice, world.commune, code="2.1", due=DUE)
    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    created = explanations.request_for_unit(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=world.district.id,
        message="Đề nghị giải trình lý do chậm",
        today=ASKED_ON,
    )
    session.commit()
    return created


def test_new_assignments_planned_twice_make_one_entry_per_notice_per_unit(
    app: Flask, session: Session, world: World
) -> None:
    now = datetime(2021, 1, 4, 3, tzinfo=UTC)
    with clock_at(now - timedelta(minutes=30)):
        make_assignment(session, notice_of(session, world), world.district, code="1.2", due=DUE)
        session.commit()
    # One row for the district's one person: both tasks in one entry.
    assert plan_inbox(session, now=now) == 1
    session.commit()
    assert plan_inbox(session, now=now + timedelta(minutes=1)) == 0
    session.commit()
    deliver_inbox(app)
    deliver_inbox(app)
    [entry] = entries_of(session, world.district_user.id)
    assert entry.topic == "new_assignments"
    assert entry.params["count"] == 2
    assert entry.params["notice"] == notice_of(session, world).number
    assert entry.link == f"/don-vi?notice={notice_of(session, world).id}"
    # The commune has no new work; the secretary and head are not told of assignments.
    assert entries_of(session, world.commune_user.id) == []
    assert entries_of(session, world.secretary.id) == []


def test_one_entry_per_explanation_request_naming_its_tasks(
    app: Flask, session: Session, world: World
) -> None:
    created = ask_for_explanations(session, world)
    assert len(created) == 3
    assert {request.batch_id for request in created} == {created[0].id}
    deliver_inbox(app)
    [district] = entries_of(session, world.district_user.id)
    assert district.topic == "explanation_requested"
    assert district.params["codes"] == ["1.1", "1.2", "2.1"]
    assert district.link == f"/giai-trinh/{created[0].id}"
    # The commune's person hears of its own task only; the other unit of nothing.
    [commune] = entries_of(session, world.commune_user.id)
    assert commune.params["codes"] == ["2.1"]
    assert entries_of(session, world.other_user.id) == []


def test_the_unit_answers_on_one_page_and_the_head_hears_once(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    created = ask_for_explanations(session, world)
    deliver_inbox(app)
    [entry] = entries_of(session, world.district_user.id)
    login_as(client, "huyen")
    opened = client.post(
        f"/hop-thu/{entry.id}/mo", data={"csrf_token": csrf_token(client, "/hop-thu")}
    )
    assert opened.status_code == 302 and opened.headers["Location"] == entry.link
    page = client.get(entry.link).get_data(as_text=True)
    assert all(f'name="answer-{request.id}"' in page for request in created)
    answered = client.post(
        entry.link,
        data={
            "csrf_token": csrf_token(client, entry.link),
            f"answer-{created[0].id}": "Do mưa lũ kéo dài",
            f"answer-{created[1].id}": "Chờ kinh phí",
            f"answer-{created[2].id}": "  ",
        },
    )
    assert answered.status_code == 302
    after = client.get(entry.link).get_data(as_text=True)
    assert "Do mưa lũ kéo dài" in after and "Chờ kinh phí" in after
    assert f'name="answer-{created[2].id}"' in after  # left blank: still open
    deliver_inbox(app)
    [told] = entries_of(session, world.head.id)
    assert told.topic == "explanation_answered"
    assert told.params["codes"] == ["1.1", "1.2"]
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, "/hop-thu")})
    login_as(client, "lanhdao")
    inbox = client.get("/hop-thu").get_data(as_text=True)
    assert "đã giải trình về 2 nhiệm vụ: 1.1, 1.2" in inbox
    # An answer with nothing typed is refused and changes nothing.
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, "/hop-thu")})
    login_as(client, "huyen")
    empty = client.post(
        entry.link,
        data={"csrf_token": csrf_token(client, entry.link), f"answer-{created[2].id}": ""},
    )
    assert empty.status_code == 400
    assert "ít nhất một nhiệm vụ" in empty.get_data(as_text=True)


def test_another_units_person_cannot_open_the_request_page(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    created = ask_for_explanations(session, world)
    login_as(client, "nongdan")
    assert client.get(f"/giai-trinh/{created[0].id}").status_code == 404


def test_read_unread_dismiss_and_the_header_count(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    ask_for_explanations(session, world)
    request = request_extension(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        requested_due=date.today() + timedelta(days=30),
        reason="Chờ số liệu",
        today=date.today(),
    )
    decide_extension(session, actor=world.head, request_id=request.id, approve=True, comment="")
    session.commit()
    deliver_inbox(app)
    login_as(client, "huyen")
    home = client.get("/don-vi").get_data(as_text=True)
    assert 'id="inbox-count"' in home and ">2</span>" in home
    first, second = entries_of(session, world.district_user.id)
    token = csrf_token(client, "/hop-thu")
    client.post(f"/hop-thu/{first.id}/da-doc", data={"csrf_token": token})
    assert ">1</span>" in client.get("/hop-thu").get_data(as_text=True)
    client.post(f"/hop-thu/{second.id}/an", data={"csrf_token": token})
    page = client.get("/hop-thu").get_data(as_text=True)
    assert 'id="inbox-count"' not in page
    assert f'id="muc-{second.id}"' not in page and f'id="muc-{first.id}"' in page
    kept = entries_of(session, world.district_user.id)
    assert len(kept) == 2 and kept[1].dismissed_at is not None  # hidden, not deleted
    # Without the CSRF token nothing changes.
    refused = client.post(f"/hop-thu/{first.id}/an", data={})
    assert refused.status_code == 400
    assert entries_of(session, world.district_user.id)[0].dismissed_at is None


def test_mark_all_read(app: Flask, client: FlaskClient, session: Session, world: World) -> None:
    ask_for_explanations(session, world)
    deliver_inbox(app)
    login_as(client, "xa")
    assert 'id="inbox-count"' in client.get("/hop-thu").get_data(as_text=True)
    done = client.post("/hop-thu/da-doc-het", data={"csrf_token": csrf_token(client, "/hop-thu")})
    assert done.status_code == 302
    page = client.get("/hop-thu").get_data(as_text=True)
    assert 'id="inbox-count"' not in page
    assert all(entry.read_at for entry in entries_of(session, world.commune_user.id))


def test_another_persons_entry_cannot_be_touched(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    ask_for_explanations(session, world)
    deliver_inbox(app)
    [theirs] = entries_of(session, world.district_user.id)
    login_as(client, "xa")
    token = csrf_token(client, "/hop-thu")
    for action in ("an", "da-doc", "mo"):
        assert (
            client.post(f"/hop-thu/{theirs.id}/{action}", data={"csrf_token": token}).status_code
            == 404
        )
    assert f'id="muc-{theirs.id}"' not in client.get("/hop-thu").get_data(as_text=True)
    [unchanged] = entries_of(session, world.district_user.id)
    assert unchanged.read_at is None and unchanged.dismissed_at is None


def test_a_rolled_back_change_leaves_no_entry(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    request = request_extension(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        requested_due=date.today() + timedelta(days=30),
        reason="Chờ số liệu",
        today=date.today(),
    )
    session.commit()
    # All or nothing: the second request does not exist, so the first decision (and what it
    # put into the outbox) is rolled back with it.
    login_as(client, "thuky")
    refused = client.post(
        "/gia-han/nhieu",
        data={
            "csrf_token": csrf_token(client, "/gia-han"),
            "ids": [str(request.id), "999999"],
            "approve": "1",
            "comment": "",
        },
    )
    assert refused.status_code in (302, 400, 404)
    session.expire_all()
    assert session.get(type(request), request.id).status == "pending"  # type: ignore[union-attr]
    decided = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "web")).all()
    assert [row.items[0]["topic"] for row in decided] == ["extension_requested"]
    # A service call whose transaction is rolled back leaves nothing either.
    decide_extension(session, actor=world.head, request_id=request.id, approve=True, comment="")
    session.rollback()
    deliver_inbox(app)
    assert entries_of(session, world.district_user.id) == []


def test_the_secretary_hears_of_reports_and_extension_requests(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    page = f"/nhiem-vu/{world.assignment.id}"
    client.post(
        f"{page}/bao-cao",
        data={
            "csrf_token": csrf_token(client, page),
            "version": str(world.assignment.version),
            "status": "in_progress",
            "percent": "40",
            "note": "Đã họp triển khai",
        },
    )
    client.post(
        f"{page}/gia-han",
        data={
            "csrf_token": csrf_token(client, page),
            "requested_due": (date.today() + timedelta(days=40)).strftime("%d%m%Y"),
            "reason": "Chờ số liệu",
        },
    )
    deliver_inbox(app)
    topics = [entry.topic for entry in entries_of(session, world.secretary.id)]
    assert topics == ["report_submitted", "extension_requested"]
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, page)})
    login_as(client, "thuky")
    inbox = client.get("/hop-thu").get_data(as_text=True)
    assert "báo cáo nhiệm vụ 1.1" in inbox and "40%" in inbox
    assert "xin gia hạn nhiệm vụ 1.1" in inbox
    # The English interface words the same entries in English.
    client.post("/ngon-ngu", data={"csrf_token": csrf_token(client, "/hop-thu"), "lang": "en"})
    english = client.get("/hop-thu").get_data(as_text=True)
    assert "2 unread" in english and "reported on task 1.1" in english


def test_the_explanation_request_reaches_a_linked_telegram_chat(
    app: Flask, session: Session, world: World
) -> None:
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = dataclasses.replace(
        settings, telegram=TelegramSettings(token="123:abc", bot_username="dondoc_bot")
    )
    session.add(ChatLink(user_id=world.district_user.id, channel="telegram", external_id="42"))
    session.commit()
    with app.app_context():
        created = ask_for_explanations(session, world)
        # Told twice (a retried request, say): still one row per channel.
        explanations_again = events.covers(f"explanation_requested:{created[0].id}")
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.user_id == world.district_user.id)
    ).all()
    assert sorted(row.channel for row in rows) == ["telegram", "web"]
    assert {row.covers for row in rows} == {explanations_again}
    [chat] = [row for row in rows if row.channel == "telegram"]
    assert "1.1, 1.2, 2.1" in chat.body and f"/giai-trinh/{created[0].id}" in chat.body
    assert chat.address == "42"


def test_the_paths_entries_link_to_exist(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"{events.ASSIGNMENT_PATH}5")[0] == "assignments.detail"
    assert adapter.match(f"{events.EXPLANATION_PATH}5")[0] == "reviews.explanation_page"
    assert adapter.match(events.EXTENSIONS_PATH)[0] == "assignments.pending_extensions"
    assert adapter.match(events.UNIT_LIST_PATH)[0] == "dashboard.unit_home"
    assert utcnow()  # the clock is real here


def test_counts_read_in_english_with_plural_forms(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    now = datetime(2021, 1, 4, 3, tzinfo=UTC)
    with clock_at(now - timedelta(minutes=30)):
        second = make_notice(session, by=world.secretary, number="02-TB/TU")
        make_assignment(session, second, world.district, code="1", due=DUE)
        make_assignment(session, second, world.district, code="2", due=DUE)
        session.commit()
    plan_inbox(session, now=now)
    session.commit()
    deliver_inbox(app)
    login_as(client, "huyen")
    client.post("/ngon-ngu", data={"csrf_token": csrf_token(client, "/hop-thu"), "lang": "en"})
    page = client.get("/hop-thu").get_data(as_text=True)
    first = notice_of(session, world).number
    assert f"1 new task assigned to Ban Dân vận Huyện ủy Sông Lam under notice {first}" in page
    assert "2 new tasks assigned to Ban Dân vận Huyện ủy Sông Lam under notice 02-TB/TU" in page
    assert "2 unread" in page
    [one, _two] = entries_of(session, world.district_user.id)
    client.post(f"/hop-thu/{one.id}/da-doc", data={"csrf_token": csrf_token(client, "/hop-thu")})
    page = client.get("/hop-thu").get_data(as_text=True)
    assert "1 unread" in page and "2 unread" not in page
    assert "chưa đọc" not in page and "nhiệm vụ" not in page


def test_the_inbox_is_paginated_newest_first(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    from tracker.inbox import service
    from tracker.inbox.models import Topic

    for number in range(3):
        events.enqueue_web(
            session,
            recipients=[world.secretary.id],
            key=f"report_submitted:{1000 + number}",
            moment=None,
            topic=Topic.REPORT_SUBMITTED,
            params={"unit": "Hội Nông dân tỉnh", "code": f"{number + 1}.1", "percent": 10},
            link="/nhiem-vu/1",
        )
    session.commit()
    deliver_inbox(app)
    first = service.entries(session, actor=world.secretary, page=1, per_page=2)
    second = service.entries(session, actor=world.secretary, page=2, per_page=2)
    codes = [entry.params["code"] for entry in first.entries + second.entries]
    assert codes == ["3.1", "2.1", "1.1"] and first.has_more and not second.has_more
    login_as(client, "thuky")
    assert client.get("/hop-thu?trang=2").status_code == 200
    assert client.get("/hop-thu?trang=abc").status_code == 200  # a bad page reads as page 1
