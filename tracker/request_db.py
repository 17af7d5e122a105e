"""One database session per web request, and the request's unit of work.

Nothing a request writes is kept unless a view says so: `change()` and `attempt()` run a service
and commit when it went through; a refusal (DomainError) rolls back everything the service had
flushed. The decision is taken here, from how the service ended, never from the
response's status: a view that turns a refusal into a friendly page or a redirect with a message
must not commit half a change (style.md item 3). Whatever is left uncommitted when the request
ends is rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine, event
from sqlmodel import Session

from tracker.db import Outcome
from tracker.errors import DomainError

log = logging.getLogger(__name__)

# Refusals that are the page itself rather than a message on it: the error page says them.
SHOWN_AS_ERROR_PAGE = frozenset({403, 404})


class UncommittedWrite(RuntimeError):
    """A view wrote to the database outside `change()`/`attempt()`: the write would be lost."""


def engine() -> Engine:
    """The application's engine."""
    return current_app.extensions["tracker.engine"]


def db() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        session = Session(engine(), expire_on_commit=False)
        event.listen(session, "after_flush", _note_flush)
        g.db_session = session
        g.db_changing = 0
    return g.db_session


@contextmanager
def change() -> Iterator[Outcome]:
    """A change the view cannot show a refusal for: commit if the service went through; on a
    refusal undo it and let it propagate, so the error page explains it with its status."""
    with attempt() as outcome:
        yield outcome
    if outcome.error is not None:
        raise outcome.error


@contextmanager
def attempt() -> Iterator[Outcome]:
    """A change whose refusal the view shows on its page (`outcome.error`): commit if the service
    went through; on a refusal undo what it flushed and commit nothing. A 403 or 404 refusal still
    propagates (undone first): it is the error page, not a message on the form.

        with attempt() as outcome:
            service.do_it(db(), actor=current_user, ...)
        if outcome.error is not None:
            return page(error=translate_error(outcome.error)), outcome.error.status_code
    """
    session = db()
    # What the request wrote before would be committed with this change without anyone asking.
    _check_no_stray_write(session, changed_objects_too=True)
    outcome = Outcome()
    g.db_changing += 1
    try:
        yield outcome
        session.commit()  # flushes what the service only added: still inside the change
    except DomainError as error:
        # The whole transaction, not a savepoint (the bot's `attempt` uses one): nothing but this
        # change was written in it (see _check_no_stray_write), and on SQLite a SAVEPOINT holds a
        # read snapshot from the first read, so someone else's save in between would fail our
        # write with "database is locked" instead of the service's own stale-version refusal.
        session.rollback()
        log.info("change refused: %s", error)
        outcome.error = error
    except BaseException:
        session.rollback()
        raise
    finally:
        g.db_changing -= 1
    if outcome.error is not None and outcome.error.status_code in SHOWN_AS_ERROR_PAGE:
        raise outcome.error


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_close)


def _note_flush(_session: Session, _context: object) -> None:
    if not g.get("db_changing"):
        g.db_stray_flush = True


def _finish(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    try:
        _check_no_stray_write(session)
    finally:
        session.rollback()
    return response


def _check_no_stray_write(session: Session, *, changed_objects_too: bool = False) -> None:
    """A write outside change()/attempt() is a programming error: the view changed data without
    saying the change is wanted. It is never committed; the test suite fails on it.

    Before a change, an object merely modified in memory counts too: the change's flush would
    write it (at the end of a request such edits are simply dropped)."""
    stray = g.pop("db_stray_flush", False) or session.new or session.deleted
    if not stray and changed_objects_too:
        stray = any(session.is_modified(instance) for instance in session.dirty)
    if not stray:
        return
    where = request.endpoint or request.path
    log.error("request %s wrote outside change()/attempt(); not committed", where)
    if current_app.testing:
        raise UncommittedWrite(f"{where} wrote to the database outside change()/attempt()")


def _close(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
