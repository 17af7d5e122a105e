"""Files that belong to a database transaction: written now, removed if the transaction rolls back.

A row that names a file is committed after the file exists, so a reader never meets a row
without its file; when the transaction rolls back instead (a refusal after the write, a failed
commit, an error page), the files it wrote are deleted, so no orphan stays on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

_WRITTEN = "tracker.files_written"


def write_in_transaction(session: Session, path: Path, data: bytes) -> None:
    """Write `path` (whole or not at all) and remove it again if `session` rolls back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)
    session.info.setdefault(_WRITTEN, []).append(path)
    if not event.contains(session, "after_rollback", _remove_written):
        event.listen(session, "after_commit", _keep_written)
        event.listen(session, "after_rollback", _remove_written)


def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def _remove_written(session: Session) -> None:
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
