"""Admins manage accounts and the unit directory on the web; every change is audited."""

from io import BytesIO

from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.helpers import csrf_token, login_as, make_unit, make_user
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.units.models import Unit


def admin_client(client: FlaskClient, session: Session) -> User:
    admin = make_user(session, "admin", username="quantri")
    session.commit()
    login_as(client, "quantri")
    return admin


def test_create_account_then_it_signs_in(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    unit = make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh")
    session.commit()
    response = client.post(
        "/quan-tri/tai-khoan/moi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/tai-khoan/moi"),
            "username": "mattran",
            "full_name": "Phạm Quốc Mặt",
            "role": "unit",
            "unit": str(unit.id),
            "password": "mat-khau-moi-dai",
        },
    )
    assert response.status_code == 302
    created = session.exec(select(User).where(User.username == "mattran")).one()
    assert created.unit_id == unit.id
    duplicate = client.post(
        "/quan-tri/tai-khoan/moi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/tai-khoan/moi"),
            "username": "mattran",
            "full_name": "X",
            "role": "head",
            "unit": "",
            "password": "mat-khau-moi-dai",
        },
    )
    assert duplicate.status_code == 400
    assert "đã có người dùng" in duplicate.get_data(as_text=True)
    other = client.application.test_client()
    assert login_as(other, "mattran", "mat-khau-moi-dai").status_code == 302


def test_lock_an_account_and_reset_a_password(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    user = make_user(session, "head", username="lanhdao")
    session.commit()
    page = f"/quan-tri/tai-khoan/{user.id}"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "full_name": "Trần Thị Lãnh",
            "role": "head",
            "unit": "",
            "new_password": "",
        },
    )  # is_active unticked: locked
    assert response.status_code == 302
    session.refresh(user)
    assert not user.is_active
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.updated")).one()
    assert event.changes["is_active"] == [True, False]
    other = client.application.test_client()
    assert login_as(other, "lanhdao").status_code == 200  # refused, stays on the form


def test_an_admin_cannot_lock_themselves_out(client: FlaskClient, session: Session) -> None:
    admin = admin_client(client, session)
    page = f"/quan-tri/tai-khoan/{admin.id}"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "full_name": "Quản trị",
            "role": "head",
            "unit": "",
            "is_active": "y",
        },
    )
    assert response.status_code == 400
    assert "không thể tự bỏ quyền quản trị" in response.get_data(as_text=True)
    session.refresh(admin)
    assert admin.role == "admin"


def test_directory_upload_and_a_bad_file(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    good = "units:\n  - code: A\n    name: Ban A\n  - code: B\n    name: Ban B\n    parent: A\n"
    response = client.post(
        "/quan-tri/don-vi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/don-vi"),
            "file": (BytesIO(good.encode()), "don-vi.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert session.exec(select(func.count()).select_from(Unit)).one() == 2
    bad = good + "  - code: C\n    name: Ban C\n    parent: KHONGCO\n"
    refused = client.post(
        "/quan-tri/don-vi",
        data={
            "csrf_token": csrf_token(client, "/quan-tri/don-vi"),
            "file": (BytesIO(bad.encode()), "don-vi.yaml"),
        },
        content_type="multipart/form-data",
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "dòng 7" in body and "KHONGCO" in body and "chưa có gì thay đổi" in body
    assert session.exec(select(func.count()).select_from(Unit)).one() == 2


def test_non_admins_cannot_post_admin_forms(client: FlaskClient, session: Session) -> None:
    make_user(session, "secretary", username="thuky")
    session.commit()
    login_as(client, "thuky")
    token = csrf_token(client, "/thong-bao")
    response = client.post(
        "/quan-tri/tai-khoan/moi",
        data={
            "csrf_token": token,
            "username": "x",
            "full_name": "x",
            "role": "admin",
            "unit": "",
            "password": "mat-khau-moi-dai",
        },
    )
    assert response.status_code == 403
    assert session.exec(select(User).where(User.username == "x")).first() is None


def test_the_admin_marks_a_unit_account_as_its_unit_s_head(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    unit = make_unit(session, "HND", "Hội Nông dân tỉnh")
    chair = make_user(session, "unit", unit=unit, username="chutich")
    head = make_user(session, "head", username="truongban")
    session.commit()
    path = f"/quan-tri/tai-khoan/{chair.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Trưởng đơn vị" in page
    form = {
        "csrf_token": csrf_token(client, path),
        "full_name": chair.full_name,
        "role": "unit",
        "unit": str(unit.id),
        "is_active": "y",
        "is_unit_head": "y",
    }
    assert client.post(path, data=form).status_code == 302
    session.expire_all()
    assert session.get(User, chair.id).is_unit_head is True
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "user.updated")).all()
    assert any((event.changes or {}).get("is_unit_head") == [False, True] for event in audited)

    # A board head is no unit's head: refused with what to do, nothing changed.
    path = f"/quan-tri/tai-khoan/{head.id}"
    form = {**form, "csrf_token": csrf_token(client, path), "full_name": head.full_name}
    form.update(role="head", unit="")
    response = client.post(path, data=form)
    assert response.status_code == 400
    assert "Chỉ tài khoản đơn vị mới là trưởng đơn vị được" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, head.id).is_unit_head is False
