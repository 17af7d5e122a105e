"""The one paginator (tracker/pagination.py) on the lists that page: the audit trail here."""

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import login_as, make_user
from tracker.audit.models import AuditEvent
from tracker.pagination import MAX_PAGE, page_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", 1),
        ("2", 2),
        ("0", 1),
        ("-3", 1),
        ("abc", 1),
        ("١٢", 1),
        ("99999999", 1),
        ("9999", 9999),
    ],
)
def test_the_page_asked_for_is_read_safely(raw: str, expected: int) -> None:
    assert page_number({"trang": raw} if raw else {}) == expected
    assert page_number({"trang": str(MAX_PAGE)}) == MAX_PAGE


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
    assert "user.created" in second  # the oldest event, alone on page 2
    assert "Mới hơn" in second and "Cũ hơn" not in second
    nonsense = client.get("/quan-tri/nhat-ky?trang=-4")
    assert nonsense.status_code == 200 and "Cũ hơn" in nonsense.get_data(as_text=True)
