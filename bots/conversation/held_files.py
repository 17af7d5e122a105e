"""Files sent to the bot before the person chose the assignment they belong to.

They wait on disk beside the evidence (instance/uploads/held/<chat link id>/), with a small
manifest: the caption, the album they came in, the assignments offered, and until when.
Nothing in the database points at them, so a file never chosen leaves no record behind.
Files never chosen are removed when the person next writes after they expired (load), and
by sweep(), which the dispatcher runs every hour (tracker/reminders/runner.py): whatever
expired, and anything older than a day however its manifest reads.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.assignments.evidence import EvidenceStore, Upload

log = logging.getLogger(__name__)

MANIFEST = "held.json"
# Held files this old go whatever their manifest says (a manifest cut short, a clock moved).
MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Held:
    uploads: list[Upload]
    caption: str
    group: str | None
    choices: list[int]
    until: datetime


def _folder(store: EvidenceStore, link_id: int) -> Path:
    return store.root / "held" / str(int(link_id))


def hold(store: EvidenceStore, link_id: int, held: Held) -> None:
    """Keep these files (replacing any held before) until the person chooses."""
    drop(store, link_id)
    folder = _folder(store, link_id)
    folder.mkdir(parents=True)
    names = []
    for number, upload in enumerate(held.uploads):
        (folder / f"{number}.bin").write_bytes(upload.data)
        names.append(upload.filename)
    manifest = {
        "names": names,
        "caption": held.caption,
        "group": held.group,
        "choices": held.choices,
        "until": held.until.isoformat(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def load(store: EvidenceStore, link_id: int, now: datetime) -> Held | None:
    """The files waiting for this link, unless there are none or they expired (then dropped)."""
    folder = _folder(store, link_id)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        until = datetime.fromisoformat(manifest["until"])
        uploads = [
            Upload(name, (folder / f"{number}.bin").read_bytes())
            for number, name in enumerate(manifest["names"])
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if until <= now:
        drop(store, link_id)
        return None
    return Held(
        uploads=uploads,
        caption=str(manifest.get("caption") or ""),
        group=manifest.get("group"),
        choices=[int(choice) for choice in manifest.get("choices") or []],
        until=until,
    )


def drop(store: EvidenceStore, link_id: int) -> None:
    """Forget the held files (attached, replaced or expired)."""
    shutil.rmtree(_folder(store, link_id), ignore_errors=True)


def sweep(store: EvidenceStore, now: datetime, *, max_age: timedelta = MAX_AGE) -> int:
    """Remove the held files nobody chose in time; returns how many sets were removed."""
    root = store.root / "held"
    if not root.is_dir():
        return 0
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        try:
            changed = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            until = datetime.fromisoformat(manifest["until"])
            expired = until <= now
        except (OSError, ValueError, KeyError, TypeError):
            expired = False
            changed = _changed(folder)
        if expired or now - changed > max_age:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d sets of chat files never attached", removed)
    return removed


def _changed(folder: Path) -> datetime:
    try:
        return datetime.fromtimestamp(folder.stat().st_mtime, UTC)
    except OSError:
        return datetime.fromtimestamp(0, UTC)  # unreadable: the oldest, swept first
