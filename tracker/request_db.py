"""One database session per web request: committed if the response succeeded, else rolled back."""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine
from sqlmodel import Session


def engine() -> Engine:
    """The application's engine."""
    return current_app.extensions["tracker.engine"]


def db() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_close)


def _finish(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
    return response


def _close(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
