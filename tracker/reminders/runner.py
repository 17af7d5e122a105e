"""Running the outbox dispatcher: a thread in the embedded set-up, or the loop of a
`tracker dispatcher` process (several may run at once on PostgreSQL)."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from flask import Flask

from tracker.config import Settings
from tracker.reminders.dispatch import Dispatcher
from tracker.reminders.senders import build_senders
from tracker.scheduler import stop_on_sigterm

log = logging.getLogger(__name__)


def _worker_name(role: str) -> str:
    """A name no other dispatcher has, nor this one after a restart (a container's pid and host
    name may repeat): a dispatcher never takes back its own claims, so a restarted one must not
    look like the one that died."""
    return f"{role}:{secrets.token_hex(4)}:{os.getpid()}@{socket.gethostname()}"[:64]


def run_dispatcher(
    app: Flask,
    *,
    stop: threading.Event | None = None,
    until_idle: bool = False,
    worker: str | None = None,
    idle_sleep: float = 2.0,
) -> None:
    """Send outbox messages until `stop` is set (or, `until_idle`, until none is due)."""
    settings: Settings = app.extensions["tracker.settings"]
    engine = app.extensions["tracker.engine"]
    stop = stop or threading.Event()
    senders = build_senders(settings, engine)
    name = worker or _worker_name("dispatch")
    if settings.telegram.is_configured and settings.telegram.webhook_secret and not until_idle:
        start_inbox_worker(app, stop=stop, worker=f"{name}-inbox", idle_sleep=0.5)
    if not until_idle:
        start_held_files_sweeper(settings, stop=stop)
    # The dispatcher closes its senders and sending threads on the way out.
    with app.app_context(), Dispatcher(engine, settings, senders, worker=name) as dispatcher:
        if until_idle:
            summary = dispatcher.run_until_idle()
            log.info("dispatcher %s idle: %s", name, summary)
        else:
            dispatcher.run_forever(stop, idle_sleep=idle_sleep)


def start_inbox_worker(
    app: Flask, *, stop: threading.Event, worker: str, idle_sleep: float
) -> threading.Thread:
    """The Telegram webhook's updates handled beside the dispatcher (tracker/chat/inbox.py)."""
    from bots.telegram.app import process_inbox

    def run() -> None:
        while not stop.is_set():
            try:
                handled = process_inbox(app, worker=worker)
            except Exception:
                log.exception("telegram inbox worker: a round failed")
                handled = 0
            if not handled:
                stop.wait(idle_sleep)

    thread = threading.Thread(target=run, name="telegram-inbox", daemon=True)
    thread.start()
    return thread


HELD_FILES_SWEEP = 3600.0


def start_held_files_sweeper(
    settings: Settings, *, stop: threading.Event, every: float = HELD_FILES_SWEEP
) -> threading.Thread:
    """Every hour: files sent in a chat and never attached to an assignment are removed."""
    from bots.conversation import held_files
    from tracker.assignments.evidence import store_for
    from tracker.db import utcnow

    store = store_for(settings)

    def run() -> None:
        while not stop.is_set():
            try:
                held_files.sweep(store, utcnow())
            except Exception:
                log.exception("removing chat files never attached failed")
            stop.wait(every)

    thread = threading.Thread(target=run, name="held-files-sweeper", daemon=True)
    thread.start()
    return thread


def run_dispatcher_process(app: Flask, *, until_idle: bool = False) -> None:
    """`tracker dispatcher`: one dispatcher loop in the foreground until Ctrl+C or SIGTERM."""
    stop = threading.Event()
    stop_on_sigterm(stop.set)
    try:
        run_dispatcher(app, stop=stop, until_idle=until_idle)
    except KeyboardInterrupt:
        stop.set()


def start_dispatcher_thread(app: Flask) -> tuple[threading.Thread, threading.Event]:
    """One dispatcher in a daemon thread (the embedded set-up); set the event to stop it."""
    stop = threading.Event()

    def run() -> None:
        try:
            run_dispatcher(app, stop=stop, worker=_worker_name("embedded"))
        except Exception:
            log.exception("the embedded dispatcher stopped on an error")

    thread = threading.Thread(target=run, name="tracker-dispatcher", daemon=True)
    thread.start()
    return thread, stop
