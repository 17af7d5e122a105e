"""Search on SQLite (FTS5) and PostgreSQL (tsvector): words with or without diacritics, đ as d,
ranking, and never anything the person may not see."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import login_as
from tests.search.conftest import Province
from tracker.assignments.models import AssignmentComment
from tracker.notices.models import NoticeStatus, Task, TaskUnit
from tracker.search.queries import Hit, Kind, search


def _kinds(hits: list[Hit]) -> set[tuple[Kind, int]]:
    return {(hit.kind, hit.entity_id) for hit in hits}


def test_words_without_diacritics_find_the_notice_and_task_written_with_them(
    session: Session, province: Province
) -> None:
    hits, terms = search(session, actor=province.head, query="quy che dan chu")
    assert terms == ["quy", "che", "dan", "chu"]
    found = _kinds(hits)
    assert (Kind.TASK, province.mine.task_id) in found
    assert any(hit.kind is Kind.NOTICE and hit.title == "12-TB/TU" for hit in hits)
    assert (Kind.TASK, province.theirs.task_id) not in found  # "dân vận", not the phrase


def test_d_with_stroke_is_found_by_d_and_by_itself(session: Session, province: Province) -> None:
    for query in ("don doc cac xa", "Đôn đốc các xã", "ĐÔN ĐỐC"):
        hits, _ = search(session, actor=province.head, query=query)
        assert (Kind.TASK, province.mine.task_id) in _kinds(hits), query


def test_the_closer_match_ranks_first(session: Session, province: Province) -> None:
    session.add(
        Task(
            conclusion_id=province.draft.id,
            code="9",
            text="Quy chế dân chủ " + "và nhiều việc khác nữa " * 30,
        )
    )
    session.commit()
    hits, _ = search(session, actor=province.secretary, query="quy chế dân chủ")
    tasks = [hit for hit in hits if hit.kind is Kind.TASK]
    # The short task that is about the phrase beats the long one that mentions it once.
    assert tasks[0].entity_id == province.mine.task_id
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_a_unit_never_finds_another_units_tasks_reports_or_comments(
    session: Session, province: Province
) -> None:
    for query in ("bí mật", "mô hình khéo", "dan van kheo"):
        hits, _ = search(session, actor=province.unit_user, query=query)
        assert all(hit.kind is Kind.UNIT for hit in hits), (query, hits)
    # The unit that owns them does find them, each kind.
    hits, _ = search(session, actor=province.other_user, query="bi mat")
    assert {hit.kind for hit in hits} == {Kind.REPORT, Kind.COMMENT}
    assert all(hit.assignment_id == province.theirs.id for hit in hits)


def test_a_supporting_unit_finds_the_task_it_supports(session: Session, province: Province) -> None:
    session.add(
        TaskUnit(
            task_id=province.theirs.task_id,
            unit_id=province.unit_user.unit_id or 0,
            role="support",
        )
    )
    session.commit()
    hits, _ = search(session, actor=province.unit_user, query="bi mat noi bo")
    assert [hit.kind for hit in hits] == [Kind.REPORT]


def test_drafts_are_found_only_by_the_secretary(session: Session, province: Province) -> None:
    for actor in (province.head, province.unit_user):
        hits, _ = search(session, actor=actor, query="ban nhap")
        assert hits == [], actor.username
    hits, _ = search(session, actor=province.secretary, query="ban nhap")
    assert {(hit.kind, hit.is_draft) for hit in hits} == {(Kind.TASK, True), (Kind.NOTICE, True)}


def test_changed_and_deleted_texts_leave_the_index(session: Session, province: Province) -> None:
    task = session.get(Task, province.mine.task_id)
    assert task is not None
    task.text = "Sơ kết công tác tuyên truyền"
    session.add(task)
    session.commit()
    hits, _ = search(session, actor=province.head, query="don doc")
    assert (Kind.TASK, province.mine.task_id) not in _kinds(hits)
    hits, _ = search(session, actor=province.head, query="so ket tuyen truyen")
    assert (Kind.TASK, province.mine.task_id) in _kinds(hits)
    comment = session.exec(select(AssignmentComment)).one()
    session.delete(comment)
    session.commit()
    hits, _ = search(session, actor=province.head, query="gop y rieng")
    assert hits == []


def test_units_are_found_by_name_and_the_last_word_by_its_beginning(
    session: Session, province: Province
) -> None:
    hits, _ = search(session, actor=province.unit_user, query="hoi nong da")
    assert [(hit.kind, hit.title) for hit in hits] == [(Kind.UNIT, "Hội Nông dân tỉnh")]


def test_the_page_lists_kind_link_and_marked_snippet(
    client: FlaskClient, province: Province
) -> None:
    login_as(client, "mattran")
    page = client.get("/tim-kiem?q=quy+che+dan+chu").get_data(as_text=True)
    assert 'role="search"' in page
    assert f"/nhiem-vu/{province.mine.id}" in page
    assert "<mark>quy</mark> <mark>chế</mark> <mark>dân</mark> <mark>chủ</mark>" in page
    assert "Nhiệm vụ" in page and "Thông báo" in page
    assert "Tổng kết mô hình" not in page


def test_the_page_answers_odd_input_without_error(client: FlaskClient, province: Province) -> None:
    login_as(client, "lanhdao")
    for query in ('"', "*", "NEAR(", "a" * 5000, "%", "' OR 1=1 --"):
        response = client.get("/tim-kiem", query_string={"q": query})
        assert response.status_code == 200, query
    empty = client.get("/tim-kiem", query_string={"q": "!!!"}).get_data(as_text=True)
    assert "Hãy gõ ít nhất một từ" in empty
    assert client.get("/tim-kiem?q=abc", headers={}).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/tim-kiem?q=quy")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_a_withdrawn_notice_is_marked_as_withdrawn_not_as_a_draft(
    client: FlaskClient, session: Session, province: Province
) -> None:
    draft = province.draft
    draft.status = NoticeStatus.WITHDRAWN
    session.add(draft)
    session.commit()
    for actor in (province.head, province.unit_user):
        hits, _ = search(session, actor=actor, query="ban nhap")
        assert hits == [], actor.username
    hits, _ = search(session, actor=province.secretary, query="bi mat chua ban hanh")
    notice = next(hit for hit in hits if hit.kind is Kind.NOTICE)
    assert (notice.is_draft, notice.withdrawn) == (False, True)
    login_as(client, "thuky")
    page = client.get("/tim-kiem?q=bi+mat+chua+ban+hanh").get_data(as_text=True)
    assert "Đã thu hồi" in page and "Bản nháp" not in page
    assert f"/thong-bao/{draft.id}/soan" not in page  # never opened to edit
