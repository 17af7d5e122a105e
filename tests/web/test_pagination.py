"""The one paginator (tracker/pagination.py) on the lists that page: the audit trail here."""

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import login_as, make_user
from tracker.audit.models import AuditEvent


def test_the_audit_trail_pages_by_fifty(client: FlaskClient, session: Session) -> None:
    make_user(session, "admin", username="quantri")  # its own creation is one event
    for number in range(50):
        session.add(
            AuditEvent(action=f"thu.{number:02d}", entity_type="test", entity_id=number, changes={})
        )
    session.commit()
    login_as(client, "quantri")

    first = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "trang=2" in first and "Cũ hơn" in first and "Mới hơn" not in first
    second = client.get("/quan-tri/nhat-ky?trang=2").get_data(as_text=True)
    # The oldest event, alone on page 2, in words (the trail shows no internal action names).
    assert "Hệ thống tạo tài khoản quantri (Quản trị)" in second
    assert "thu.00" not in second
    assert "Mới hơn" in second and "Cũ hơn" not in second
