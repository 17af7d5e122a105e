"""Factories and helpers for the tests: units, users, notices, assignments, signing in."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import date
from itertools import count

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session
from werkzeug.test import TestResponse

from tracker.accounts import service as accounts
from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.db import utcnow
from tracker.errors import DomainError
from tracker.notices.models import Conclusion, NoticeStatus, Task
from tracker.units.models import Unit

PASSWORD = "correct horse battery"
_sequence = count(1)
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_unit(
    session: Session, code: str, name: str | None = None, parent: Unit | None = None
) -> Unit:
    unit = Unit(code=code, name=name or f"Đơn vị {code}", parent_id=parent.id if parent else None)
    session.add(unit)
    session.flush()
    return unit


def make_user(
    session: Session,
    role: str,
    unit: Unit | None = None,
    username: str | None = None,
    password: str = PASSWORD,
) -> User:
    return accounts.create_user(
        session,
        actor=None,
        username=username or f"{role}{next(_sequence)}",
        full_name=f"Người dùng {role}",
        role=role,
        password=password,
        unit_code=unit.code if unit else None,
    )


def make_notice(
    session: Session, *, published: bool = True, by: User | None = None, number: str | None = None
) -> Conclusion:
    if published and by is None:
        by = make_user(session, "secretary")
    notice = Conclusion(
        number=number or f"{next(_sequence)}-TB/TEST",
        title="THÔNG BÁO KẾT LUẬN thử nghiệm",
        status=NoticeStatus.PUBLISHED if published else NoticeStatus.DRAFT,
        published_by_id=by.id if published and by else None,
        created_by_id=by.id if by else None,
        published_at=utcnow() if published else None,
    )
    session.add(notice)
    session.flush()
    return notice


def make_assignment(
    session: Session,
    notice: Conclusion,
    unit: Unit,
    *,
    code: str = "1.1",
    due: date | None = None,
    status: str = "not_started",
    completed_on: date | None = None,
    text: str = "Triển khai nhiệm vụ",
) -> Assignment:
    task = Task(conclusion_id=notice.id, code=code, text=text, due=due)
    session.add(task)
    session.flush()
    assignment = Assignment(
        task_id=task.id,
        unit_id=unit.id,
        due=due,
        status=status,
        completed_on=completed_on,
        percent=100 if status == "done" else 0,
        cancelled_reason="Không còn phù hợp" if status == "cancelled" else None,
    )
    session.add(assignment)
    session.flush()
    return assignment


def csrf_token(client: FlaskClient, path: str = "/dang-nhap") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login_as(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Sign in through the real login form (with its CSRF token)."""
    return client.post(
        "/dang-nhap",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )


def at_once(
    engine: Engine, actor_ids: list[int], work: Callable[[Session, User, int], object]
) -> list[str]:
    """Run `work` in one thread per actor, all released together; each commits its own
    transaction or rolls it back. Returns "ok" or the refusal's class name, per thread."""
    barrier = threading.Barrier(len(actor_ids))
    outcomes = [""] * len(actor_ids)

    def run(index: int, actor_id: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            actor = session.get(User, actor_id)
            assert actor is not None
            barrier.wait()
            try:
                work(session, actor, index)
                session.commit()
                outcomes[index] = "ok"
            except DomainError as refusal:
                session.rollback()
                outcomes[index] = type(refusal).__name__
            except Exception as error:  # the outcome a person would see as a 500
                session.rollback()
                outcomes[index] = f"crash: {type(error).__name__}: {error}"

    threads = [
        threading.Thread(target=run, args=(index, actor_id))
        for index, actor_id in enumerate(actor_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def deliver_inbox(app: Flask) -> int:
    """Run the outbox dispatcher until nothing is due, as `tracker serve` does in the
    background: the web channel's rows become inbox entries. Returns the rows sent."""
    from tracker.reminders.dispatch import Dispatcher
    from tracker.reminders.senders import build_senders

    settings = app.extensions["tracker.settings"]
    engine = app.extensions["tracker.engine"]
    with (
        app.app_context(),
        Dispatcher(engine, settings, build_senders(settings, engine), worker="test") as dispatcher,
    ):
        return dispatcher.run_until_idle(max_seconds=30, linger=0).sent
