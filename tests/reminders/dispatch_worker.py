"""One dispatcher process for tests/reminders/test_dispatch_postgres.py.

    python tests/reminders/dispatch_worker.py --database-url URL --base-url URL --worker NAME

Prints "ready" once connected, waits for a line on stdin (so all workers start together),
dispatches until nothing is pending, then prints its summary as one JSON line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.telegram_api import TOKEN
from tracker.config import Settings, TelegramSettings, load_settings
from tracker.db import make_engine
from tracker.reminders.dispatch import Dispatcher
from tracker.reminders.senders import build_senders


def worker_settings(database_url: str, base_url: str, *, per_second: float) -> Settings:
    """Settings that point the real Telegram client at the fake server."""
    settings = load_settings(env={}, database_url=database_url, environment="testing")
    return dataclasses.replace(
        settings,
        telegram=TelegramSettings(token=TOKEN, base_url=base_url, timeout_seconds=10),
        reminders=dataclasses.replace(settings.reminders, telegram_per_second=per_second),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--per-second", type=float, default=5000.0)
    parser.add_argument("--max-seconds", type=float, default=240.0)
    parser.add_argument("--lease-seconds", type=float, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format=f"{args.worker} %(levelname)s %(message)s")

    settings = worker_settings(args.database_url, args.base_url, per_second=args.per_second)
    engine = make_engine(args.database_url)
    with engine.connect():
        pass
    lease = {}
    if args.lease_seconds is not None:
        lease = {
            "lease": timedelta(seconds=args.lease_seconds),
            "heartbeat": timedelta(seconds=args.lease_seconds / 4),
        }
    dispatcher = Dispatcher(
        engine, settings, build_senders(settings, engine), worker=args.worker, **lease
    )
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        summary = dispatcher.run_until_idle(max_seconds=args.max_seconds)
    finally:
        dispatcher.close()
        engine.dispose()
    print(json.dumps(dataclasses.asdict(summary)), flush=True)


if __name__ == "__main__":
    main()
