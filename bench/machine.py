"""What machine a benchmark ran on, printed beside every figure."""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path


def describe() -> str:
    """One line: CPU model, cores, memory, OS and Python."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
            memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    """The --database-url option every benchmark takes."""
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: $TRACKER_DATABASE_URL, else bench/out/bench.sqlite3",
    )


def database_url(given: str | None) -> str:
    """The benchmark database: the option, else $TRACKER_DATABASE_URL, else bench/out/."""
    return (
        given
        or os.environ.get("TRACKER_DATABASE_URL")
        or f"sqlite:///{Path(__file__).resolve().parent / 'out' / 'bench.sqlite3'}"
    )
