"""The import screens in the web: upload, edit, publish; bad uploads refused with advice."""

import time

from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.form_scraper import form_values
from tests.helpers import csrf_token, login_as
from tests.notices.conftest import NOTICE
from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.notices.models import Conclusion, Task


def upload(client: FlaskClient, name: str, data: bytes):  # type: ignore[no-untyped-def]
    """Upload a file and follow its progress page until it leads on (or says why not)."""
    from io import BytesIO

    queued = client.post(
        "/thong-bao/nhap",
        data={"csrf_token": csrf_token(client, "/thong-bao/nhap"), "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    if queued.status_code != 303:
        return queued
    return follow_progress(client, queued.headers["Location"])


def follow_progress(client: FlaskClient, location: str, seconds: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        page = client.get(location)
        if page.status_code != 200 or 'http-equiv="refresh"' not in page.get_data(as_text=True):
            return page
        assert time.monotonic() < deadline, "the import never finished"
        time.sleep(0.1)


def test_upload_edit_and_publish(client: FlaskClient, session: Session, secretary: User) -> None:
    login_as(client, "thuky")
    response = upload(client, NOTICE.name, NOTICE.read_bytes())
    assert response.status_code == 302
    editor = client.get(response.headers["Location"])
    page = editor.get_data(as_text=True)
    assert editor.status_code == 200
    assert "Sở Khoa học và Công nghệ" in page  # the unknown unit is shown beside its row
    assert page.count("needs-review") >= 1
    values = form_values(page.split("<main>")[1])
    values["publish"] = "Ban hành"
    # "Ban hành" saves and asks first; the confirmation refuses while 3.b has no lead.
    asked = client.post(editor.request.path, data=values)
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/ban-hanh")
    confirm = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "3.b" in confirm and "thiếu đơn vị chủ trì" in confirm
    refused = client.post(asked.headers["Location"], data=publish_values(confirm))
    assert refused.status_code == 400
    assert "3.b chưa có đơn vị chủ trì" in refused.get_data(as_text=True)
    # Choose a lead for 3.b (the row with the unknown unit) and publish.
    values = form_values(client.get(editor.request.path).get_data(as_text=True).split("<main>")[1])
    rows = [key for key in values if key.endswith("-code") and values[key] == "3.b"]
    row = rows[0].removesuffix("-code")
    values.setlist(f"{row}-lead", [values.getlist("rows-0-lead")[0]])
    values["publish"] = "Ban hành"
    assert client.post(editor.request.path, data=values).status_code == 302
    confirm = client.get(asked.headers["Location"]).get_data(as_text=True)
    published = client.post(asked.headers["Location"], data=publish_values(confirm))
    assert published.status_code == 302
    notice = session.exec(select(Conclusion)).one()
    session.refresh(notice)
    assert notice.status == "published"
    assert session.exec(select(func.count()).select_from(Assignment)).one() > 12


def publish_values(confirm_page: str) -> dict[str, str]:
    """What the confirmation's "Ban hành" button sends: its CSRF token and the version seen."""
    form = confirm_page[confirm_page.rindex("<form") :]
    values = form_values(form)
    return {"csrf_token": values["csrf_token"], "version": values["version"]}


def test_add_row_then_save_keeps_the_draft(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    login_as(client, "thuky")
    location = upload(client, NOTICE.name, NOTICE.read_bytes()).headers["Location"]
    values = form_values(client.get(location).get_data(as_text=True).split("<main>")[1])
    values["add_row"] = "Thêm nhiệm vụ"
    response = client.post(location, data=values)
    assert response.status_code == 302 and "them=1" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    values = form_values(page.split("<main>")[1])
    added = max(int(key.split("-")[1]) for key in values if key.endswith("-code"))
    values[f"rows-{added}-code"], values[f"rows-{added}-text"] = "5", "Nhiệm vụ bổ sung"
    values["save"] = "Lưu nháp"
    assert client.post(location, data=values).status_code == 302
    assert session.exec(select(Task).where(Task.code == "5")).one().text == "Nhiệm vụ bổ sung"


def test_impossible_date_in_the_editor_is_refused(client: FlaskClient, secretary: User) -> None:
    login_as(client, "thuky")
    location = upload(client, NOTICE.name, NOTICE.read_bytes()).headers["Location"]
    values = form_values(client.get(location).get_data(as_text=True).split("<main>")[1])
    values["rows-0-due"] = "31/02/2025"
    values["save"] = "Lưu nháp"
    response = client.post(location, data=values)
    assert response.status_code == 400
    assert "31/02/2025" in response.get_data(as_text=True)
    assert "không có thật" in response.get_data(as_text=True)


def test_renamed_executable_is_refused_with_advice(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    login_as(client, "thuky")
    response = upload(client, "thong-bao.docx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500)
    assert response.status_code == 200
    assert "Không đọc được văn bản" in response.get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(Conclusion)).one() == 0


def test_oversized_upload_gets_a_clear_413(app, client: FlaskClient, secretary: User) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "thuky")
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    response = upload(client, "lon.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "vượt quá giới hạn 2 MB" in response.get_data(as_text=True)


def test_units_cannot_import(client: FlaskClient, session: Session, secretary: User) -> None:
    from tests.helpers import make_unit, make_user

    make_user(session, "unit", unit=make_unit(session, "ZZ"), username="donvi")
    session.commit()
    login_as(client, "donvi")
    assert client.get("/thong-bao/nhap").status_code == 403


def test_draft_shows_the_document_kind_and_warnings_in_the_readers_language(
    client: FlaskClient, secretary: User
) -> None:
    """A plan's draft says it is a plan; its flags are Vietnamese on the Vietnamese page and
    English on the English one, never both halves at once."""
    login_as(client, "thuky")
    plan = (
        "ỦY BAN NHÂN DÂN TỈNH BÌNH NGUYÊN\nSố: 12/KH-UBND\nBình Nguyên, ngày 03 tháng 10 năm 2025\n"
        "KẾ HOẠCH\nTriển khai công tác chuyển đổi số\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Nâng cao nhận thức của cán bộ.\n"
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế chủ trì triển khai ứng dụng khám bệnh từ xa.\n"
    )
    response = upload(client, "ke-hoach.txt", plan.encode())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Loại văn bản" in page and "Kế hoạch" in page
    assert "Không có thời hạn" in page  # the undated task is flagged, in Vietnamese
    assert "no due date" not in page and " / " not in page.split("task-row", 1)[1]
    token = csrf_token(client, response.headers["Location"])
    client.post("/ngon-ngu", data={"lang": "en", "csrf_token": token})
    english = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Document type" in english and "Plan" in english
    assert "no due date" in english and "Không có thời hạn" not in english
