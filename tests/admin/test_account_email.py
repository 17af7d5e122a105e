"""An account is created with an e-mail address (it was a 500), and a wrong one is refused in
Vietnamese with an example."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.admin.test_admin_views import admin_client
from tests.helpers import csrf_token
from tracker.accounts.models import User

NEW = "/quan-tri/tai-khoan/moi"


def _create(client: FlaskClient, email: str) -> tuple[int, str]:
    response = client.post(
        NEW,
        data={
            "csrf_token": csrf_token(client, NEW),
            "username": "lanhdao2",
            "full_name": "Trần Thị Lãnh",
            "role": "head",
            "unit": "",
            "email": email,
            "password": "mat-khau-moi-dai",
        },
    )
    return response.status_code, response.get_data(as_text=True)


def test_an_account_is_created_with_an_email_address(client: FlaskClient, session: Session) -> None:
    admin_client(client, session)
    status, _ = _create(client, "lanh@tinhuy.gov.vn")
    assert status == 302
    created = session.exec(select(User).where(User.username == "lanhdao2")).one()
    assert created.email == "lanh@tinhuy.gov.vn"


def test_a_wrong_email_address_is_refused_with_an_example(
    client: FlaskClient, session: Session
) -> None:
    admin_client(client, session)
    status, page = _create(client, "lanh@@tinhuy")
    assert status == 400
    assert "ten@coquan.gov.vn" in page
    assert session.exec(select(User).where(User.username == "lanhdao2")).first() is None
