"""The desk in the web, as a browser without JavaScript sends it: checkbox pickers, the filter
of flagged tasks, errors listed with links to their rows, the confirmation before publishing,
moving past due dates, deleting a draft, the source document link."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.form_scraper import form_values
from tests.helpers import csrf_token, login_as, make_unit, make_user
from tests.notices.conftest import NOTICE
from tests.notices.test_views import publish_values, upload
from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.audit.models import AuditEvent
from tracker.notices.models import Conclusion, Task, TaskUnit
from tracker.units.models import Unit


def draft(client: FlaskClient) -> tuple[str, str]:
    """Upload the fixture notice; the editor's address and page."""
    login_as(client, "thuky")
    location = upload(client, NOTICE.name, NOTICE.read_bytes()).headers["Location"]
    return location, client.get(location).get_data(as_text=True)


def main_part(page: str) -> str:
    return page.split("<main>")[1]


def row_of(values, code: str) -> str:  # type: ignore[no-untyped-def]
    key = next(key for key in values if key.endswith("-code") and values[key] == code)
    return key.removesuffix("-code")


def test_picker_without_javascript_is_a_list_of_checkboxes_that_adds(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    location, page = draft(client)
    units = {unit.code: unit.id for unit in session.exec(select(Unit)).all()}
    first_lead = re.search(r'name="rows-0-lead" value="(u:\d+)" checked', page)
    assert first_lead, "the chosen unit is a ticked checkbox"
    assert f'name="rows-0-lead" value="u:{units["MTTQ"]}"' in page
    assert "Ctrl" not in page and "<select multiple" not in page
    values = form_values(main_part(page))
    before = values.getlist("rows-0-lead")
    # Ticking one more box (a plain click) adds it; nothing chosen before is lost.
    values.add("rows-0-lead", f"u:{units['MTTQ']}")
    values["save"] = "Lưu nháp"
    assert client.post(location, data=values).status_code == 302
    task = session.exec(select(Task).where(Task.code == "1.a")).one()
    leads = set(
        session.exec(
            select(TaskUnit.unit_id).where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
        ).all()
    )
    assert leads == {int(pick[2:]) for pick in before} | {units["MTTQ"]}
    saved = client.get(location).get_data(as_text=True)
    assert f'name="rows-0-lead" value="u:{units["MTTQ"]}" checked' in saved
    # The page's search keys carry names and aliases without diacritics: "mat tran" finds
    # the Front (whose name says "MTTQ"), "mttq" too.
    block = saved.split('<script type="application/json" id="picker-search">')[1]
    keys = json.loads(block.split("</script>")[0])
    assert "mat tran" in keys[f"u:{units['MTTQ']}"] and "mttq" in keys[f"u:{units['MTTQ']}"]


def test_counter_and_filter_show_only_flagged_tasks_and_saving_keeps_the_rest(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    location, page = draft(client)
    flagged = int(re.search(r"Còn (\d+) nhiệm vụ cần kiểm tra", page)[1])
    assert flagged == page.count('class="flag"') >= 1
    filtered = client.get(location + "?loc=can-kiem-tra").get_data(as_text=True)
    shown = re.findall(r'<tr id="(nv-\d+)" class="task-row([^"]*)"', filtered)
    total = session.exec(select(func.count()).select_from(Task)).one()
    assert len(shown) == total  # every row is still in the form (a save keeps them) ...
    visible = [anchor for anchor, classes in shown if "is-hidden" not in classes]
    assert len(visible) == flagged  # ... only the flagged ones are shown
    values = form_values(main_part(filtered))
    row = row_of(values, "3.b")
    assert f"{row.replace('rows-', 'nv-')}" in visible
    values[f"{row}-lead"] = f"u:{session.exec(select(Unit.id).where(Unit.code == 'SYT')).one()}"
    values["save"] = "Lưu nháp"
    response = client.post(location + "?loc=can-kiem-tra", data=values)
    assert response.status_code == 302 and "loc=can-kiem-tra" in response.headers["Location"]
    assert session.exec(select(func.count()).select_from(Task)).one() == total
    page = client.get(location).get_data(as_text=True)
    assert f"Còn {flagged - 1} nhiệm vụ cần kiểm tra" in page  # fixing the lead cleared 3.b
    values = form_values(main_part(page))
    for anchor in visible:
        values[f"{anchor.replace('nv-', 'rows-')}-reviewed"] = "y"
    values["save"] = "Lưu nháp"
    assert client.post(location, data=values).status_code == 302
    assert "Không còn nhiệm vụ nào cần kiểm tra" in client.get(location).get_data(as_text=True)


def test_errors_after_saving_are_listed_at_the_top_with_links_to_their_rows(
    client: FlaskClient, secretary: User
) -> None:
    location, page = draft(client)
    values = form_values(main_part(page))
    values["rows-2-due"] = "31/02/2025"
    values["rows-5-text"] = ""
    values["save"] = "Lưu nháp"
    response = client.post(location, data=values)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    top = body.split('class="card problems"')[1].split("</nav>")[0]
    assert '<a href="#nv-2">' in top and '<a href="#nv-5">' in top
    assert "31/02/2025" in top and "mã (ví dụ 1.1) và nội dung" in top
    assert re.search(r'<tr id="nv-2" class="task-row[^"]*has-error', body)
    assert re.search(r'<tr id="nv-5" class="task-row[^"]*has-error', body)
    assert not re.search(r'<tr id="nv-3" class="task-row[^"]*has-error', body)


def test_publishing_confirms_then_moves_past_dues_then_publishes_once(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    location, page = draft(client)
    values = form_values(main_part(page))
    values[f"{row_of(values, '3.b')}-lead"] = values.getlist("rows-0-lead")[0]
    values["publish"] = "Ban hành"
    confirm_url = client.post(location, data=values).headers["Location"]
    assert session.exec(select(func.count()).select_from(Assignment)).one() == 0
    confirm = client.get(confirm_url).get_data(as_text=True)
    total = session.exec(select(func.count()).select_from(Task)).one()
    assert f"{total}</strong> nhiệm vụ, giao" in confirm
    # The fixture's dates (2025) are all past today.
    assert re.search(rf"{total}</strong> nhiệm vụ sẽ quá hạn ngay", confirm)
    move = confirm.split('class="move-due"')[1].split("</form>")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', move)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', move)
    assert token and version
    refused = client.post(
        f"/thong-bao/{confirm_url.split('/')[-2]}/doi-han",
        data={"csrf_token": token[1], "version": version[1], "new_due": "01/01/2020"},
    )
    assert refused.status_code == 400 and "chọn một ngày từ hôm nay" in refused.get_data(
        as_text=True
    )
    moved = client.post(
        f"/thong-bao/{confirm_url.split('/')[-2]}/doi-han",
        data={"csrf_token": token[1], "version": version[1], "new_due": "31/12/2099"},
    )
    assert moved.status_code == 302
    confirm = client.get(confirm_url).get_data(as_text=True)
    assert f"Đã dời hạn của {total} nhiệm vụ" in confirm
    assert re.search(r"0</strong> nhiệm vụ sẽ quá hạn ngay", confirm)
    stale = publish_values(confirm) | {"version": version[1]}
    assert client.post(confirm_url, data=stale).status_code == 409  # dates changed since
    assert client.post(confirm_url, data=publish_values(confirm)).status_code == 302
    assignments = session.exec(select(Assignment)).all()
    assert assignments and {item.due.year for item in assignments} == {2099}
    notice_id = confirm_url.split("/")[-2]
    source_link = f'href="/thong-bao/{notice_id}/van-ban-goc"'
    assert source_link in client.get(f"/thong-bao/{notice_id}").get_data(as_text=True)
    detail = client.get(f"/nhiem-vu/{assignments[0].id}").get_data(as_text=True)
    assert source_link in detail  # the original, one click from every assignment page
    again = client.post(confirm_url, data=publish_values(confirm))
    assert again.status_code == 302  # already published: shown the notice, nothing doubled
    assert session.exec(select(func.count()).select_from(Assignment)).one() == len(assignments)


def test_a_draft_is_deleted_after_one_confirmation(
    app, client: FlaskClient, session: Session, secretary: User
) -> None:  # type: ignore[no-untyped-def]
    _location, page = draft(client)
    notice = session.exec(select(Conclusion)).one()
    delete_url = f"/thong-bao/{notice.id}/xoa"
    assert f'href="{delete_url}"' in page
    stored = app.extensions["tracker.settings"].instance_path / "notices" / notice.source_path
    assert stored.is_file()
    ask = client.get(delete_url)
    assert ask.status_code == 200 and NOTICE.name in ask.get_data(as_text=True)
    assert client.post(delete_url, data={}).status_code == 400  # no CSRF token: nothing goes
    assert session.exec(select(func.count()).select_from(Conclusion)).one() == 1
    done = client.post(delete_url, data={"csrf_token": csrf_token(client, delete_url)})
    assert done.status_code == 302
    assert session.exec(select(func.count()).select_from(Conclusion)).one() == 0
    assert not stored.exists()
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "conclusion.draft_deleted")
    ).one()


def test_source_document_link_and_download_permissions(
    app, client: FlaskClient, session: Session, secretary: User
) -> None:  # type: ignore[no-untyped-def]
    _location, page = draft(client)
    notice = session.exec(select(Conclusion)).one()
    link = f"/thong-bao/{notice.id}/van-ban-goc"
    assert f'href="{link}"' in page
    response = client.get(link)
    assert response.status_code == 200 and response.data == NOTICE.read_bytes()
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    make_user(session, "unit", unit=make_unit(session, "NGOAI"), username="ngoai")
    session.commit()
    other = app.test_client()
    assert other.get(link).status_code in (302, 401)  # signed out: to the login page
    login_as(other, "ngoai")
    assert other.get(link).status_code == 404  # a draft is nobody else's business yet


def test_correcting_a_published_task_uses_the_same_picker(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    location, page = draft(client)
    values = form_values(main_part(page))
    values[f"{row_of(values, '3.b')}-lead"] = values.getlist("rows-0-lead")[0]
    values["publish"] = "Ban hành"
    confirm_url = client.post(location, data=values).headers["Location"]
    confirm = client.get(confirm_url).get_data(as_text=True)
    assert client.post(confirm_url, data=publish_values(confirm)).status_code == 302
    task = session.exec(select(Task).where(Task.code == "1.a")).one()
    url = f"/thong-bao/nhiem-vu/{task.id}/dieu-chinh"
    page = client.get(url).get_data(as_text=True)
    assert 'name="lead" value="u:' in page and "<select multiple" not in page
    values = form_values(main_part(page))
    mttq = session.exec(select(Unit.id).where(Unit.code == "MTTQ")).one()
    values.add("lead", f"u:{mttq}")
    assert client.post(url, data=values).status_code == 302
    leads = session.exec(
        select(Assignment.unit_id).where(
            Assignment.task_id == task.id, Assignment.status != "cancelled"
        )
    ).all()
    assert mttq in leads and len(leads) == len(values.getlist("lead"))


def test_without_javascript_a_filter_narrows_every_picker_and_keeps_what_is_ticked(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    location, page = draft(client)
    units = {unit.code: unit.id for unit in session.exec(select(Unit)).all()}
    ticked = re.findall(r'name="rows-0-lead" value="(u:\d+)" checked', page)
    assert ticked
    assert "Nhóm đơn vị" in page and page.count('name="rows-0-lead"') > 10  # all, in two parts
    values = form_values(main_part(page))
    values["unit_filter"] = "mat tran"  # no diacritics, as typed on any keyboard
    values["filter_units"] = "Lưu và lọc"
    saved = client.post(location, data=values)
    assert saved.status_code == 302 and "don-vi=mat" in saved.headers["Location"]
    narrowed = client.get(saved.headers["Location"]).get_data(as_text=True)
    lead_boxes = re.findall(r'name="rows-0-lead" value="(u:\d+|g:\d+)"', narrowed)
    assert f"u:{units['MTTQ']}" in lead_boxes
    assert f"u:{units['HND']}" not in lead_boxes or f"u:{units['HND']}" in ticked
    assert set(ticked) <= set(lead_boxes)  # what is chosen stays, ticked
    assert len(lead_boxes) < 6
    assert "đang lọc theo “mat tran”" in narrowed
    # Saving under the filter keeps every unit chosen before (the hidden ones were not ticked).
    values = form_values(main_part(narrowed))
    values["save"] = "Lưu nháp"
    assert client.post(saved.headers["Location"], data=values).status_code == 302
    task = session.exec(select(Task).where(Task.code == "1.a")).one()
    leads = session.exec(
        select(TaskUnit.unit_id).where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
    ).all()
    assert {f"u:{unit}" for unit in leads} == set(ticked)
