"""Read access follows the design's role table: drafts are the secretary's, and the admin
(directory, accounts, channels) reads no unit's work or evidence."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import login_as, make_assignment, make_notice, make_unit, make_user


def test_head_and_admin_do_not_read_drafts_and_admin_reads_no_assignments(
    client: FlaskClient, session: Session
) -> None:
    unit = make_unit(session, "U1", "Ủy ban MTTQ tỉnh")
    secretary = make_user(session, "secretary", username="thuky")
    make_user(session, "head", username="lanhdao")
    make_user(session, "admin", username="quantri")
    draft = make_notice(session, published=False, by=secretary, number="99-TB/NHAP")
    published = make_notice(session, by=secretary, number="12-TB/BANHANH")
    assignment = make_assignment(session, published, unit, due=date(2026, 12, 31))
    session.commit()

    login_as(client, "lanhdao")
    listing = client.get("/thong-bao").get_data(as_text=True)
    assert "12-TB/BANHANH" in listing and "99-TB/NHAP" not in listing
    assert client.get(f"/thong-bao/{draft.id}").status_code == 404
    assert client.get(f"/thong-bao/{published.id}").status_code == 200
    assert client.get(f"/nhiem-vu/{assignment.id}").status_code == 200

    admin = client.application.test_client()
    login_as(admin, "quantri")
    assert admin.get("/thong-bao").status_code == 403
    assert admin.get(f"/nhiem-vu/{assignment.id}").status_code in (403, 404)

    own = client.application.test_client()
    login_as(own, "thuky")
    assert "99-TB/NHAP" in own.get("/thong-bao").get_data(as_text=True)
