"""Background imports: an upload becomes a job row; a worker thread reads it in the parse child.

The web request only checks the upload and records the job (milliseconds); the thread drives
the capped child process (tracker.parsing.sandbox) and then writes the draft, or the refusal,
in its own transaction. The progress page reads the row, so any web worker can answer it.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from tracker.accounts.models import User
from tracker.db import unit_of_work, utcnow
from tracker.errors import N_, InvalidInput, NotFound
from tracker.notices import drafts
from tracker.notices.models import ImportStatus, NoticeImport
from tracker.parsing.errors import ParseError
from tracker.parsing.limits import ParseLimits
from tracker.units.queries import directory_from_db

log = logging.getLogger(__name__)

# A job that has not finished long after its time cap was lost (its process stopped).
LOST_AFTER = timedelta(minutes=30)

_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()
_threads: list[threading.Thread] = []


def queue_import(
    session: Session, *, actor: User, filename: str, data: bytes | None, text: str | None
) -> NoticeImport:
    """Record an upload to be read; refuses at once what needs no reading."""
    drafts.check_import(actor, data, text)
    job = NoticeImport(
        created_by_id=actor.id or 0,
        filename=(filename if data is not None else drafts.PASTED_NAME)[:255],
        size_bytes=len(data) if data is not None else len((text or "").encode("utf-8")),
    )
    session.add(job)
    session.flush()
    return job


def load_import(session: Session, *, actor: User, import_id: int) -> NoticeImport:
    """The uploader's own job (others are told it does not exist)."""
    job = session.get(NoticeImport, import_id)
    if job is None or job.created_by_id != actor.id:
        raise NotFound(N_("Không tìm thấy lượt nhập thông báo này. Hãy tải tệp lên lại."))
    return job


def refusal(job: NoticeImport) -> InvalidInput | None:
    """Why the job's file was not read (for the reader's language), or None."""
    if job.status == ImportStatus.REFUSED:
        return InvalidInput(
            N_("Không đọc được văn bản: {reason}"),
            reason=job.reason_vi or "",
            reason_en=job.reason_en or job.reason_vi or "",
        )
    if job.finished_at is None and utcnow() - job.created_at > LOST_AFTER:
        return InvalidInput(
            N_("Máy chủ đã dừng khi đang đọc tệp này; hãy tải tệp lên lại."),
        )
    return None


def start(
    engine: Engine,
    job_id: int,
    *,
    data: bytes | None,
    text: str | None,
    source_dir: Path,
    limits: ParseLimits,
) -> threading.Thread:
    """Read the job's file in a background thread (at most `limits.workers` at once here)."""
    thread = threading.Thread(
        target=run,
        args=(engine, job_id),
        kwargs={"data": data, "text": text, "source_dir": source_dir, "limits": limits},
        name=f"notice-import-{job_id}",
        daemon=True,
    )
    _threads[:] = [alive for alive in _threads if alive.is_alive()]
    _threads.append(thread)
    thread.start()
    return thread


def wait_all(timeout: float) -> None:
    """Wait for this process's running imports (tests, a clean shutdown)."""
    for thread in list(_threads):
        thread.join(timeout)


def _slot(workers: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        return _slots.setdefault(workers, threading.BoundedSemaphore(workers))


def run(
    engine: Engine,
    job_id: int,
    *,
    data: bytes | None,
    text: str | None,
    source_dir: Path,
    limits: ParseLimits,
) -> None:
    """The background work: parse in the child, then write the draft or the refusal."""
    try:
        with _slot(limits.workers):
            _run(engine, job_id, data=data, text=text, source_dir=source_dir, limits=limits)
    except Exception:  # a thread has nobody to tell: record the failure on the job
        log.exception("notice import %s failed", job_id)
        _finish(
            engine,
            job_id,
            ParseError(
                "lỗi máy chủ khi ghi bản nháp; hãy thử lại", "a server error while saving the draft"
            ),
        )


def _run(
    engine: Engine,
    job_id: int,
    *,
    data: bytes | None,
    text: str | None,
    source_dir: Path,
    limits: ParseLimits,
) -> None:
    with unit_of_work(engine) as session:
        job = session.get(NoticeImport, job_id)
        if job is None:
            return
        job.status = ImportStatus.RUNNING
        session.add(job)
        directory = directory_from_db(session)
    run = drafts.parse_isolated(
        directory,
        filename=job.filename,
        data=data,
        text=text,
        limits=limits,
        on_progress=lambda done, total: _record_pages(engine, job_id, done, total),
    )
    log.info(
        "notice import %s: %.1f s, %.1f s CPU, peak %d MB, %s",
        job_id,
        run.wall_seconds,
        run.cpu_seconds,
        run.peak_bytes // (1024 * 1024),
        "refused" if run.error else "read",
    )
    if run.error is not None:
        _finish(engine, job_id, run.error)
        return
    with unit_of_work(engine) as session:
        job = session.get(NoticeImport, job_id)
        actor = session.get(User, job.created_by_id) if job else None
        if job is None or actor is None:
            return
        notice = drafts.create_draft(
            session,
            actor=actor,
            filename=job.filename,
            raw=data if data is not None else (text or "").encode("utf-8"),
            parsed=run.parsed(),
            source_dir=source_dir,
        )
        job.status, job.conclusion_id, job.finished_at = ImportStatus.DONE, notice.id, utcnow()
        session.add(job)


def _record_pages(engine: Engine, job_id: int, done: int, total: int) -> None:
    """A scan's progress on the job row, in its own short transaction, for the progress page."""
    with engine.begin() as connection:
        connection.execute(
            update(NoticeImport)
            .where(col(NoticeImport.id) == job_id)
            .values(pages_done=done, pages_total=total)
        )


def _finish(engine: Engine, job_id: int, error: ParseError) -> None:
    with unit_of_work(engine) as session:
        job = session.get(NoticeImport, job_id)
        if job is None:
            return
        job.status, job.finished_at = ImportStatus.REFUSED, utcnow()
        job.reason_vi, job.reason_en = error.message_vi, error.message_en
        session.add(job)
