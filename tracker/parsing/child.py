"""The parse child: `python -m tracker.parsing.child` reads a request on stdin, answers on stdout.

It caps its own memory and CPU time with the kernel's limits before it imports or reads
anything, so a hostile file can at worst kill this process, never the web server. The request
is one JSON line (file name, limits, unit directory, whether the body is pasted text) followed
by the body; the answer is one JSON object: {"result": ...} or {"error": {"vi", "en"}}, with
the child's own peak memory and CPU time.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any

MB = 1024 * 1024
OUTPUT_CAP = 64 * MB  # the answer is JSON of the tasks: far below this


def _limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # SIGXCPU at the soft limit (the default action ends the process), SIGKILL at the hard one.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_CAP, OUTPUT_CAP))
    os.nice(10)  # web requests and the scheduler come first


def _usage() -> dict[str, float]:
    """This process's CPU time and peak memory since it started Python.

    VmHWM, not ru_maxrss: the latter keeps the parent's size from before exec.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak_kb = int(line.split()[1])
    return {"peak_kb": peak_kb, "cpu_seconds": usage.ru_utime + usage.ru_stime}


def _answer(payload: dict[str, Any]) -> None:
    payload.update(_usage())
    sys.stdout.write(json.dumps(payload, ensure_ascii=False))
    sys.stdout.flush()


def main() -> int:
    header = json.loads(sys.stdin.buffer.readline())
    limits_data = header["limits"]
    _limit_self(int(limits_data["memory_bytes"]), int(limits_data["cpu_seconds"]))
    try:
        _answer({"result": _parse(header, sys.stdin.buffer.read())})
    except MemoryError:
        _answer({"error": "memory"})
    except Exception as error:  # every failure becomes an answer, never a trace
        from tracker.parsing.errors import ParseError

        if isinstance(error, ParseError):
            setting = getattr(error, "setting", None)
            _answer({"error": {"vi": error.message_vi, "en": error.message_en, "cap": setting}})
        else:
            print(f"parse child failed: {type(error).__name__}: {error}", file=sys.stderr)
            _answer({"error": "unexpected"})
    return 0


def _parse(header: dict[str, Any], body: bytes) -> dict[str, Any]:
    from tracker.parsing import parse_bytes, parse_text
    from tracker.parsing.limits import ParseLimits, too_many_tasks
    from tracker.units.directory import DirectoryGroup, DirectoryUnit, UnitDirectory

    limits = ParseLimits.from_json_dict(header["limits"])
    raw = header.get("directory")
    directory = (
        UnitDirectory(
            units=tuple(
                DirectoryUnit(u["code"], u["name"], tuple(u["aliases"]), u["parent"])
                for u in raw["units"]
            ),
            groups=tuple(
                DirectoryGroup(g["code"], g["name"], tuple(g["aliases"]), tuple(g["members"]))
                for g in raw["groups"]
            ),
        )
        if raw is not None
        else None
    )
    if header.get("pasted"):
        result = parse_text(body.decode("utf-8"), header["filename"], directory)
    else:
        result = parse_bytes(body, header["filename"], directory, limits=limits)
    if len(result.tasks) > limits.max_tasks:
        raise too_many_tasks(limits)
    return result.to_json_dict()


if __name__ == "__main__":
    sys.exit(main())
