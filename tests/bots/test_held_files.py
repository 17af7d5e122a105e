"""Files sent in a chat and never attached: removed once expired, by the dispatcher's hourly
sweep (nothing in the database points at them, so nothing else would)."""

from __future__ import annotations

import dataclasses
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from bots.conversation import held_files
from tracker.assignments.evidence import EvidenceStore, Upload, store_for
from tracker.reminders.runner import start_held_files_sweeper

# The folders are written now: their age is read from the file system.
NOW = datetime.now(UTC)


def hold(store: EvidenceStore, link_id: int, until: datetime) -> Path:
    held_files.hold(
        store,
        link_id,
        held_files.Held([Upload("bien-ban.pdf", b"%PDF-1.7 minutes")], "Ghi chú", None, [1], until),
    )
    return store.root / "held" / str(link_id)


def test_the_sweep_removes_what_expired_and_keeps_what_waits(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "uploads")
    expired = hold(store, 1, NOW - timedelta(minutes=1))
    waiting = hold(store, 2, NOW + timedelta(minutes=20))
    # A set whose manifest is unreadable: kept for a day, then removed.
    broken_recent, broken_old = hold(store, 3, NOW), hold(store, 4, NOW)
    for folder in (broken_recent, broken_old):
        (folder / held_files.MANIFEST).write_text("{not json", encoding="utf-8")
    day_and_more = (NOW - timedelta(hours=25)).timestamp()
    os.utime(broken_old, (day_and_more, day_and_more))
    os.utime(broken_recent, (NOW.timestamp(), NOW.timestamp()))

    assert held_files.sweep(store, NOW) == 2
    assert not expired.exists() and not broken_old.exists()
    assert waiting.exists() and broken_recent.exists()
    assert held_files.load(store, 2, NOW) is not None
    assert held_files.sweep(store, NOW) == 0


def test_the_sweep_without_held_files_does_nothing(tmp_path: Path) -> None:
    assert held_files.sweep(EvidenceStore(tmp_path / "uploads"), NOW) == 0


def test_the_dispatcher_sweeps_when_it_starts(app: Flask, tmp_path: Path) -> None:
    settings = dataclasses.replace(
        app.extensions["tracker.settings"], instance_path=tmp_path / "instance"
    )
    store = store_for(settings)
    expired = hold(store, 7, datetime.now(UTC) - timedelta(hours=1))
    stop = threading.Event()
    thread = start_held_files_sweeper(settings, stop=stop, every=0.05)
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while expired.exists() and datetime.now(UTC) < deadline:
            stop.wait(0.02)
    finally:
        stop.set()
        thread.join(2)
    assert not expired.exists()
