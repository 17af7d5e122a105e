"""The demo data: every status shows up, and each demo login reaches its own home page."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.helpers import login_as
from tracker.accounts.models import User
from tracker.assignments.queries import count_by_category
from tracker.assignments.status import Category
from tracker.audit.models import AuditEvent
from tracker.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo, quarter_bounds
from tracker.notices.models import Conclusion

TODAY = date(2026, 11, 22)


def test_demo_covers_every_category(session: Session, tmp_path: Path) -> None:
    logins = load_demo(session, today=TODAY, source_dir=tmp_path)
    session.commit()
    head = next(login for login in logins if login.role == "head")
    head_user = session.exec(select(User).where(User.username == head.username)).one()
    counts = count_by_category(session, actor=head_user, reference=TODAY)
    assert all(counts[category] > 0 for category in Category), counts


@pytest.mark.parametrize(
    ("username", "home", "heading"),
    [
        ("quantri", "/quan-tri/tai-khoan", "Tài khoản"),
        ("lanhdao", "/tong-hop", "Tổng hợp tình hình thực hiện"),
        ("thuky", "/thong-bao", "Thông báo kết luận"),
        ("mattran", "/don-vi", "Nhiệm vụ của đơn vị"),
        ("songlam", "/don-vi", "Nhiệm vụ của đơn vị"),
    ],
)
def test_each_demo_login_reaches_its_home(
    client: FlaskClient, session: Session, tmp_path: Path, username: str, home: str, heading: str
) -> None:
    load_demo(session, today=TODAY, source_dir=tmp_path)
    session.commit()
    assert login_as(client, username, DEMO_PASSWORD).status_code == 302
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert page.request.path == home
    assert f"<h1>{heading}</h1>" in page.get_data(as_text=True)


def test_demo_logins_cover_every_role() -> None:
    assert {login.role for login in DEMO_LOGINS} == {"admin", "head", "secretary", "unit"}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31), 1)),
        (date(2026, 6, 30), (date(2026, 4, 1), date(2026, 6, 30), 2)),
        (date(2026, 11, 22), (date(2026, 10, 1), date(2026, 12, 31), 4)),
    ],
)
def test_quarter_bounds(day: date, expected: tuple[date, date, int]) -> None:
    assert quarter_bounds(day) == expected


def test_demo_history_is_what_the_services_write(session: Session, tmp_path: Path) -> None:
    """The demo is played through the services day by day, so the figures of past days differ
    the way real use makes them differ, and its source document is kept."""
    load_demo(session, today=TODAY, source_dir=tmp_path)
    session.commit()
    head = session.exec(select(User).where(User.username == "lanhdao")).one()
    before_publication = count_by_category(
        session, actor=head, reference=TODAY - timedelta(days=31)
    )
    assert sum(before_publication.values()) == 0
    published = count_by_category(session, actor=head, reference=TODAY - timedelta(days=30))
    assert published[Category.NOT_STARTED] == sum(published.values()) > 0
    # Task 1.2 is reported done 12 days ago: not yet on the day before.
    day_before = count_by_category(session, actor=head, reference=TODAY - timedelta(days=13))
    that_day = count_by_category(session, actor=head, reference=TODAY - timedelta(days=12))
    assert that_day[Category.DONE_ON_TIME] == day_before[Category.DONE_ON_TIME] + 1
    # The cancellation by correction counts from its own day (10 days ago).
    assert (
        count_by_category(session, actor=head, reference=TODAY - timedelta(days=11))[
            Category.CANCELLED
        ]
        == 0
    )
    assert count_by_category(session, actor=head, reference=TODAY)[Category.CANCELLED] == 1
    notice = session.exec(select(Conclusion)).one()
    assert notice.source_path and (tmp_path / notice.source_path).is_file()
    actions = set(session.exec(select(AuditEvent.action)).all())
    assert {
        "conclusion.imported",
        "conclusion.published",
        "assignment.created",
        "assignment.progress",
        "assignment.cancelled",
        "assignment.delegated",
        "extension.requested",
    } <= actions
