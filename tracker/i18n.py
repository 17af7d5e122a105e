"""Language and time: Vietnamese first, English on request; dates dd/mm/yyyy in local time."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, session
from flask_babel import gettext, lazy_gettext

from tracker.db import as_utc
from tracker.errors import DomainError
from tracker.notify.channels import channel_name
from tracker.vn_dates import vn_date

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"


def select_locale() -> str:
    """The language chosen in this browser; signing in puts the person's kept choice there."""
    language = session.get("lang")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def select_timezone() -> str:
    return current_app.extensions["tracker.settings"].timezone


def local_zone() -> ZoneInfo:
    """The deployment's time zone."""
    return ZoneInfo(select_timezone())


def local_today() -> date:
    """Today's date where the users are (not the server's, not UTC's)."""
    return datetime.now(local_zone()).date()


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, the way Vietnamese offices write dates."""
    if isinstance(value, datetime):
        value = _to_local(value).date()
    return vn_date(value, empty="")


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the deployment's time zone."""
    if value is None:
        return ""
    moment = _to_local(value)
    return f"{vn_date(moment)} {moment:%H:%M}"


def _to_local(value: datetime) -> datetime:
    return as_utc(value).astimezone(local_zone())


def channel_label(channel: str) -> str:
    """A reminder channel's name in the reader's language (lazy: fine in module constants)."""
    return lazy_gettext(channel_name(channel))


def translate_error(error: DomainError) -> str:
    """A domain error's message in the reader's language."""
    text = gettext(error.template)
    return text.format(**error.params) if error.params else text


# A note stored in both languages, "[1.2] tiếng Việt / English" (the parser's warnings).
_BILINGUAL = re.compile(r"^(?P<tag>\[[^\]]*\]\s*)?(?P<vi>.+?) / (?P<en>.+)$", re.DOTALL)


def in_reader_language(note: str) -> str:
    """The reader's half of a stored bilingual note; a note in one language stays as it is."""
    match = _BILINGUAL.match(note)
    if match is None:
        return note
    half = match["en"] if select_locale() == "en" else match["vi"]
    return (match["tag"] or "") + half


def init_app(app: Flask) -> None:
    app.add_template_filter(in_reader_language, "reader_language")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES  # a value: add_template_global is for functions
    app.add_template_global(select_locale, "current_language")
