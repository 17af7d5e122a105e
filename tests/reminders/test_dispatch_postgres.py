"""Four dispatcher processes over 5,000 pending messages on PostgreSQL: each delivered once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from tests import conftest
from tests.fakes.telegram_api import running_fake_telegram
from tests.helpers import make_user
from tracker.reminders import outbox
from tracker.reminders.models import OutboxMessage, OutboxStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.bots,
    pytest.mark.slow,
    pytest.mark.skipif(conftest.POSTGRES_PROBLEM is not None, reason=conftest.POSTGRES_SKIP_REASON),
]

MESSAGES = 5000
WORKERS = 4
WORKER_SCRIPT = Path(__file__).with_name("dispatch_worker.py")


def _fill(session: Session) -> list[str]:
    user = make_user(session, "secretary")
    chats = [str(700_000 + n) for n in range(MESSAGES)]
    outbox.enqueue(
        session,
        [
            {
                "user_id": user.id,
                "channel": "telegram",
                "day": date(2026, 3, 2),
                "covers": outbox.covers_key([(n, "before_due")]),
                "address": chat,
                "body": f"<b>Nhắc việc</b>\nTin số {n}",
                "items": [{"assignment_id": n, "code": "1", "actionable": True}],
            }
            for n, chat in enumerate(chats)
        ],
    )
    session.commit()
    return chats


def test_four_dispatcher_processes_deliver_each_message_exactly_once(
    app: Flask, engine: Engine, session: Session, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several dispatchers at once need PostgreSQL (SKIP LOCKED)")
    chats = _fill(session)

    with running_fake_telegram() as fake:
        fake.enforce_limits = False  # this measures exactly-once, not speed
        logs = [tmp_path / f"worker{n}.log" for n in range(WORKERS)]
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(WORKER_SCRIPT),
                    "--database-url",
                    database_url,
                    "--base-url",
                    fake.base_url,
                    "--worker",
                    f"worker-{n}",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log.open("w"),
                text=True,
            )
            for n, log in enumerate(logs)
        ]
        try:
            for process in processes:
                assert process.stdout is not None and process.stdout.readline() == "ready\n"
            for process in processes:  # all start together
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            outputs = [process.communicate(timeout=300)[0] for process in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        delivered = Counter(str(call["chat_id"]) for call in fake.sent())

    problems = "\n".join(log.read_text() for log in logs)
    assert [process.returncode for process in processes] == [0] * WORKERS, problems
    summaries = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
    assert sum(summary["sent"] for summary in summaries) == MESSAGES, summaries
    assert delivered == Counter(chats), "a message was lost or delivered twice"
    session.expire_all()
    by_status = dict(
        session.exec(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    assert by_status == {OutboxStatus.SENT: MESSAGES}
    workers = dict(
        session.exec(
            select(OutboxMessage.claimed_by, func.count()).group_by(OutboxMessage.claimed_by)
        ).all()
    )
    assert len(workers) > 1, f"only one dispatcher got any work: {workers}"
    assert sum(workers.values()) == MESSAGES
