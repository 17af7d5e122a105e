"""Run one parse in a child process with memory, CPU and wall-clock caps; kill it on excess.

The caller's process (a web worker's background thread, the benchmark) only waits: whatever
the file does, the child dies alone. os.wait4 gives the child's own peak memory and CPU time,
so the caps can be seen to hold (tests, bench/upload.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Any

from tracker.parsing.errors import ParseError
from tracker.parsing.limits import (
    LimitExceeded,
    ParseLimits,
    too_much_cpu,
    too_much_memory,
    too_slow,
)
from tracker.units.directory import UnitDirectory

# The child writes "progress N M" on its stderr after each page of a scan (tracker.parsing.child).
PROGRESS_PREFIX = b"progress "
Progress = Callable[[int, int], None]

log = logging.getLogger(__name__)
_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class ChildRun:
    """What one parse child did: its answer (or refusal) and what it cost."""

    result: dict[str, Any] | None
    error: ParseError | None
    wall_seconds: float
    cpu_seconds: float
    peak_bytes: int

    def parsed(self) -> dict[str, Any]:
        """The parse result, or the refusal raised."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def run_parse(
    body: bytes,
    filename: str,
    directory: UnitDirectory | None,
    limits: ParseLimits,
    *,
    pasted: bool = False,
    on_progress: Progress | None = None,
) -> ChildRun:
    """Parse `body` (a file's bytes, or pasted text as UTF-8) in a capped child process;
    `on_progress(pages_done, pages)` is called as a scan's pages are read."""
    header = {
        "filename": filename,
        "pasted": pasted,
        "limits": limits.to_json_dict(),
        "directory": asdict(directory) if directory is not None else None,
    }
    with (
        tempfile.TemporaryFile() as request,
        tempfile.TemporaryFile() as answer,
        tempfile.TemporaryFile() as complaints,
    ):
        request.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
        request.write(body)
        request.seek(0)
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "tracker.parsing.child"],
            stdin=request,
            stdout=answer,
            stderr=complaints,
            close_fds=True,
            start_new_session=True,  # its own process group: killed with everything it started
        )
        status, usage, timed_out = _wait(
            child, started + limits.timeout_seconds, _ProgressReader(complaints, on_progress)
        )
        wall = time.monotonic() - started
        answer.seek(0)
        raw = answer.read()
        complaints.seek(0)
        stderr = b"".join(
            line
            for line in complaints.read().splitlines(keepends=True)
            if not line.startswith(PROGRESS_PREFIX)
        )[-4000:]
    cpu = usage.ru_utime + usage.ru_stime
    reply = _read_answer(raw)
    # The child's own high-water mark when it answered; else the kernel's figure, which also
    # counts the parent's size before exec (an upper bound).
    peak = int(reply.get("peak_kb") or usage.ru_maxrss) * 1024
    result, error = _outcome(reply, status, timed_out, cpu, peak, limits)
    if error is not None and not isinstance(error, LimitExceeded) and stderr:
        log.warning("parse child on %s: %s", filename, stderr.decode("utf-8", "replace"))
    return ChildRun(result, error, wall, cpu, peak)


def _read_answer(raw: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class _ProgressReader:
    """Reads the child's "progress N M" lines from its stderr file as they are written."""

    def __init__(self, stream: IO[bytes], callback: Progress | None) -> None:
        self.stream, self.callback, self.offset, self.seen = stream, callback, 0, (0, 0)

    def poll(self) -> None:
        if self.callback is None:
            return
        self.stream.seek(self.offset)
        chunk = self.stream.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.splitlines():
            if not line.startswith(PROGRESS_PREFIX):
                continue
            try:
                done, total = (int(part) for part in line[len(PROGRESS_PREFIX) :].split())
            except ValueError:
                continue
            if (done, total) != self.seen:
                self.seen = (done, total)
                self.callback(done, total)


def _wait(
    child: subprocess.Popen[bytes], deadline: float, progress: _ProgressReader
) -> tuple[int, Any, bool]:
    """Reap the child (killing it at the deadline), passing on its progress; its exit status
    and resource usage."""
    timed_out = False
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        progress.poll()
        if pid == child.pid:
            break
        if time.monotonic() >= deadline and not timed_out:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        time.sleep(_POLL_SECONDS)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return status, usage, timed_out


def _outcome(
    answer: dict[str, Any],
    status: int,
    timed_out: bool,
    cpu: float,
    peak: int,
    limits: ParseLimits,
) -> tuple[dict[str, Any] | None, ParseError | None]:
    if timed_out:
        return None, too_slow(limits)
    if "result" in answer:
        return answer["result"], None
    error = answer.get("error")
    if isinstance(error, dict):
        vi, en = str(error.get("vi")), str(error.get("en"))
        cap = error.get("cap")
        return None, LimitExceeded(vi, en, str(cap)) if cap else ParseError(vi, en)
    if error == "memory":
        return None, too_much_memory(limits)
    signalled = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if signalled == signal.SIGXCPU or (signalled == signal.SIGKILL and cpu >= limits.cpu_seconds):
        return None, too_much_cpu(limits)
    if signalled is not None or peak >= limits.memory_bytes // 2:
        # Killed without a word (the kernel's OOM killer), or a crash near the memory cap.
        return None, too_much_memory(limits)
    return None, ParseError(
        "Không phân tích được văn bản này; hãy thử lưu sang .docx hoặc dán nội dung vào ô",
        "This document could not be parsed; try saving it as .docx or paste its text",
    )
