"""The assignment page in the web: the refusals the issue names, and the happy paths."""

import re
from datetime import date, timedelta
from io import BytesIO

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.assignments.conftest import World
from tests.helpers import csrf_token, deliver_inbox, login_as
from tracker.assignments.models import EvidenceFile, ExtensionRequest, ProgressReport

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page_of(world: World) -> str:
    return f"/nhiem-vu/{world.assignment.id}"


def post_report(
    client: FlaskClient,
    world: World,
    *,
    version: int = 1,
    note: str = "Đã làm",
    percent: str = "50",
    status: str = "in_progress",
    files=None,
    token=True,
):  # type: ignore[no-untyped-def]
    data = {"version": str(version), "status": status, "percent": percent, "note": note}
    if token:
        data["csrf_token"] = csrf_token(client, page_of(world))
    if files:
        data["files"] = files
    return client.post(f"{page_of(world)}/bao-cao", data=data, content_type="multipart/form-data")


def reports(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ProgressReport)).one()


def test_another_units_assignment_is_refused_by_url(client: FlaskClient, world: World) -> None:
    login_as(client, "xa")  # the commune is below the district, not above it
    response = client.get(page_of(world))
    assert response.status_code == 403
    assert "không thuộc đơn vị của bạn" in response.get_data(as_text=True)


def test_report_with_evidence_then_download(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    response = post_report(client, world, files=[(BytesIO(PDF), "bien-ban.pdf")])
    assert response.status_code == 302
    page = client.get(page_of(world)).get_data(as_text=True)
    assert "Đã ghi nhận báo cáo tiến độ" in page and "bien-ban.pdf" in page
    link = re.search(r'href="(/tep/\d+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, page_of(world))})
    login_as(client, "xa")
    assert client.get(link).status_code == 403


def test_evidence_is_downloaded_under_its_detected_type(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    response = post_report(client, world, files=[(BytesIO(PDF), "bienban.html")])
    assert response.status_code == 302
    page = client.get(page_of(world)).get_data(as_text=True)
    assert "bienban.pdf" in page and "bienban.html" not in page
    download = client.get(re.search(r'href="(/tep/\d+)"', page).group(1))
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=bienban.pdf"


def test_post_without_csrf_changes_nothing(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    response = post_report(client, world, token=False)
    assert response.status_code == 400
    assert reports(session) == 0


def test_stale_form_is_refused_and_keeps_the_typed_text(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    assert post_report(client, world, version=1).status_code == 302
    stale = post_report(client, world, version=1, percent="70", note="Ghi chú tôi vừa gõ rất dài")
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Người khác vừa cập nhật" in body
    assert "Ghi chú tôi vừa gõ rất dài" in body and 'value="70"' in body
    assert 'name="version" type="hidden" value="2"' in body  # resubmitting now works
    assert reports(session) == 1


def test_renamed_executable_evidence_is_refused(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100
    response = post_report(client, world, files=[(BytesIO(exe), "bao-cao.pdf")])
    assert response.status_code == 400
    assert "không được nhận" in response.get_data(as_text=True)
    assert reports(session) == 0
    assert session.exec(select(func.count()).select_from(EvidenceFile)).one() == 0


def test_oversized_evidence_gets_413(app, client: FlaskClient, world: World) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "huyen")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = post_report(client, world, files=[(BytesIO(PDF + b"0" * 2_000_000), "lon.pdf")])
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)


def test_bad_percent_is_shown_beside_the_field(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    response = post_report(client, world, percent="150")
    assert response.status_code == 400
    assert "Tiến độ phải từ 0 đến 100%" in response.get_data(as_text=True)
    assert reports(session) == 0


def test_extension_asked_on_the_web_and_decided(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    response = client.post(
        f"{page_of(world)}/gia-han",
        data={
            "csrf_token": csrf_token(client, page_of(world)),
            "requested_due": "31/02/2021",
            "reason": "Chờ số liệu",
        },
    )
    assert response.status_code == 400
    assert "không có thật" in response.get_data(as_text=True)
    future = date.today() + timedelta(days=40)
    client.post(
        f"{page_of(world)}/gia-han",
        data={
            "csrf_token": csrf_token(client, page_of(world)),
            "requested_due": future.strftime("%d/%m/%Y"),
            "reason": "Chờ số liệu",
        },
    )
    request = session.exec(select(ExtensionRequest)).one()
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, page_of(world))})
    login_as(client, "thuky")
    listing = client.get("/gia-han").get_data(as_text=True)
    assert "Chờ số liệu" in listing and future.strftime("%d/%m/%Y") in listing
    decided = client.post(
        f"/gia-han/{request.id}",
        data={
            "csrf_token": csrf_token(client, "/gia-han"),
            f"r{request.id}-approve": "1",
            f"r{request.id}-comment": "",
        },
    )
    assert decided.status_code == 302
    session.refresh(world.assignment)
    assert world.assignment.due == future
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client, "/gia-han")})
    login_as(client, "huyen")
    deliver_inbox(app)
    inbox = client.get("/hop-thu").get_data(as_text=True)
    assert f"đã được đồng ý: hạn mới {future.strftime('%d/%m/%Y')}" in inbox


def test_support_unit_sees_and_comments(client: FlaskClient, world: World) -> None:
    login_as(client, "nongdan")
    home = client.get("/don-vi").get_data(as_text=True)
    assert page_of(world) in home and "Phối hợp" in home
    page = client.get(page_of(world)).get_data(as_text=True)
    assert "Báo cáo tiến độ" not in page  # no report form for a support unit
    response = client.post(
        f"{page_of(world)}/y-kien",
        data={"csrf_token": csrf_token(client, page_of(world)), "body": "Sẵn sàng phối hợp"},
    )
    assert response.status_code == 302
    assert "Sẵn sàng phối hợp" in client.get(page_of(world)).get_data(as_text=True)


def test_unit_list_filters(client: FlaskClient, world: World) -> None:
    login_as(client, "huyen")
    assert page_of(world) in client.get("/don-vi?tt=not_started").get_data(as_text=True)
    assert page_of(world) not in client.get("/don-vi?tt=done").get_data(as_text=True)


def test_unit_is_asked_for_an_explanation_and_answers(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    from tracker.rollups import explanations, reviews
    from tracker.rollups.periods import Period

    review = reviews.open_review(session, actor=world.head, period=Period.parse("2021-Q2"))
    [request] = explanations.request_for_unit(
        session,
        actor=world.head,
        review_id=review.id,
        unit_id=world.district.id,
        message="Đề nghị giải trình lý do chậm",
        today=date(2021, 7, 5),
    )
    session.commit()
    deliver_inbox(app)
    login_as(client, "huyen")
    inbox = client.get("/hop-thu").get_data(as_text=True)
    assert "yêu cầu giải trình về 1 nhiệm vụ quá hạn: 1.1" in inbox
    page = client.get(page_of(world)).get_data(as_text=True)
    assert "Đề nghị giải trình lý do chậm" in page
    response = client.post(
        f"/giai-trinh/{request.id}/tra-loi",
        data={
            "csrf_token": csrf_token(client, page_of(world)),
            "answer": "Do mưa lũ kéo dài",
            "next": page_of(world),
        },
    )
    assert response.status_code == 302
    assert "Do mưa lũ kéo dài" in client.get(page_of(world)).get_data(as_text=True)
    home = client.get("/don-vi").get_data(as_text=True)
    assert "Sông Lam giải trình" not in home
    count = re.search(r'tally-count">(\d+)</span>\s*<span class="tally-label">Được yêu cầu', home)
    assert count is not None and count.group(1) == "0"


def test_extension_date_typed_as_eight_digits_on_a_phone(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, "huyen")
    future = date.today() + timedelta(days=40)
    response = client.post(
        f"{page_of(world)}/gia-han",
        data={
            "csrf_token": csrf_token(client, page_of(world)),
            "requested_due": future.strftime("%d%m%Y"),
            "reason": "Chờ số liệu",
        },
    )
    assert response.status_code == 302
    assert session.exec(select(ExtensionRequest)).one().requested_due == future
    page = client.get(page_of(world)).get_data(as_text=True)
    assert future.strftime("%d/%m/%Y") in page
