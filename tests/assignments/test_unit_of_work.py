"""A web request keeps a change whole or not at all: the commit follows how the service ended,
never the response's status (a refusal shown as a message on a redirect commits nothing)."""

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from tests.assignments.conftest import DUE, TODAY, World
from tests.helpers import csrf_token, login_as
from tracker.assignments import extensions
from tracker.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from tracker.audit import service as audit
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidInput
from tracker.request_db import UncommittedWrite, attempt, change, db

NEW_DUE = date(2021, 7, 31)


def _ask(session: Session, world: World) -> ExtensionRequest:
    request = extensions.request_extension(
        session,
        actor=world.district_user,
        assignment_id=world.assignment.id,
        requested_due=NEW_DUE,
        reason="Chờ kết quả khảo sát",
        today=TODAY,
    )
    session.commit()
    return request


def _decide(client: FlaskClient, request_id: int) -> Any:
    """The secretary (signed in) approves the request."""
    return client.post(
        f"/gia-han/{request_id}",
        data={
            "csrf_token": csrf_token(client, "/gia-han"),
            f"r{request_id}-approve": "1",
            f"r{request_id}-comment": "",
        },
    )


def _extension_events(session: Session) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action).where(
                AuditEvent.action.in_(["assignment.due_extended", "extension.approved"])
            )
        ).all()
    )


def test_a_concurrent_save_leaves_the_extension_decision_unwritten(
    client: FlaskClient,
    session: Session,
    engine: Engine,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = _ask(session, world)
    real_utcnow = extensions.utcnow

    def someone_else_saves_first() -> Any:
        # The unit reports progress after the decision read the assignment and before it
        # writes anything (on SQLite a writer waits for the other's commit, so this is the
        # window where the two can cross).
        with Session(engine) as other:
            other.execute(
                update(Assignment)
                .where(Assignment.id == world.assignment.id)
                .values(version=Assignment.version + 1, percent=30)
            )
            other.commit()
        monkeypatch.setattr(extensions, "utcnow", real_utcnow)
        return real_utcnow()

    # Read when the decision is about to be written: the moment it is taken.
    monkeypatch.setattr(extensions, "utcnow", someone_else_saves_first)
    login_as(client, "thuky")
    response = _decide(client, request.id)
    assert response.status_code == 302  # back to the list, with the message
    listing = client.get("/gia-han").get_data(as_text=True)
    assert "Người khác vừa cập nhật nhiệm vụ này" in listing

    session.expire_all()
    stored = session.get(ExtensionRequest, request.id)
    assert stored is not None and stored.status == ExtensionStatus.PENDING
    assignment = session.get(Assignment, world.assignment.id)
    assert assignment is not None and assignment.due == DUE and assignment.percent == 30
    assert _extension_events(session) == []

    # Decided again, it goes through whole: approved, the due date moved, history written.
    assert _decide(client, request.id).status_code == 302
    session.expire_all()
    assert session.get(ExtensionRequest, request.id).status == ExtensionStatus.APPROVED
    assert session.get(Assignment, world.assignment.id).due == NEW_DUE
    assert sorted(_extension_events(session)) == ["assignment.due_extended", "extension.approved"]


def test_a_refusal_after_a_flush_shown_on_a_redirect_commits_nothing(
    client: FlaskClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = _ask(session, world)

    def writes_then_refuses(session: Session, *, actor: Any, request_id: int, **_: Any) -> None:
        audit.record(
            session,
            actor=actor,
            action="extension.approved",
            entity_type="assignment",
            entity_id=world.assignment.id,
            changes={},
        )
        session.flush()
        raise InvalidInput("Từ chối sau khi đã ghi một phần.")

    monkeypatch.setattr(extensions, "decide_extension", writes_then_refuses)
    login_as(client, "thuky")
    response = _decide(client, request.id)
    assert response.status_code == 302
    assert "Từ chối sau khi đã ghi một phần." in client.get("/gia-han").get_data(as_text=True)
    session.expire_all()
    assert _extension_events(session) == []


def test_a_write_outside_the_unit_of_work_is_never_committed(app: Flask, world: World) -> None:
    with app.test_request_context("/"):
        db().add(AuditEvent(action="stray", entity_type="x", entity_id=1, changes={}))
        with pytest.raises(UncommittedWrite):
            app.process_response(app.response_class())
    with Session(app.extensions["tracker.engine"]) as check:
        assert check.exec(select(AuditEvent).where(AuditEvent.action == "stray")).all() == []


def test_a_refusal_the_page_cannot_show_becomes_the_error_page(app: Flask, world: World) -> None:
    with app.test_request_context("/"):
        with pytest.raises(InvalidInput), change():
            db().add(AuditEvent(action="refused", entity_type="x", entity_id=1, changes={}))
            db().flush()
            raise InvalidInput("Không được.")
        with attempt() as outcome:
            db().add(AuditEvent(action="kept", entity_type="x", entity_id=1, changes={}))
        assert outcome.error is None
    with Session(app.extensions["tracker.engine"]) as check:
        actions = check.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "x")).all()
    assert actions == ["kept"]


def test_an_object_edited_before_a_change_is_not_slipped_into_it(app: Flask, world: World) -> None:
    with app.test_request_context("/"):
        assignment = db().get(Assignment, world.assignment.id)
        assert assignment is not None
        assignment.percent = 99  # say, for display only
        with pytest.raises(UncommittedWrite), change():
            pass
    with Session(app.extensions["tracker.engine"]) as check:
        assert check.get(Assignment, world.assignment.id).percent == 0  # type: ignore[union-attr]
