"""The secretary's review screen for a generated 200-task draft: time to render, page size.

Run: .venv/bin/python bench/desk.py [--tasks 200] [--units 45]
Target (issue 14): the 200-task review screen renders in under 1 s. Uses a throw-away SQLite
database in a temporary folder; prints the figures and the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from bench.machine import describe  # noqa: E402
from tracker import create_app, migrate  # noqa: E402
from tracker.accounts import service as accounts  # noqa: E402
from tracker.accounts.models import User  # noqa: E402
from tracker.notices import drafts  # noqa: E402
from tracker.notices.models import Conclusion, Task, TaskUnit  # noqa: E402
from tracker.units.models import Unit, UnitGroup, UnitGroupMember  # noqa: E402

PASSWORD = "bench-password-1"


def build(session: Session, tasks: int, units: int) -> int:
    """A directory of `units` units in 3 groups, a secretary, and a draft of `tasks` tasks."""
    made = [
        Unit(
            code=f"U{number:03d}",
            name=f"Ban Dân vận Huyện ủy số {number}",
            aliases=[f"BDV {number}"],
        )
        for number in range(units)
    ]
    session.add_all(made)
    session.flush()
    for index in range(3):
        group = UnitGroup(code=f"G{index}", name=f"Nhóm {index}", aliases=[])
        session.add(group)
        session.flush()
        session.add_all(
            UnitGroupMember(group_id=group.id, unit_id=unit.id) for unit in made[index::3]
        )
    secretary = accounts.create_user(
        session,
        actor=None,
        username="thuky",
        full_name="Thư ký",
        role="secretary",
        password=PASSWORD,
    )
    notice = Conclusion(title="Thông báo thử 200 nhiệm vụ", created_by_id=secretary.id)
    session.add(notice)
    session.flush()
    for position in range(tasks):
        task = Task(
            conclusion_id=notice.id,
            position=position,
            code=f"{position // 10 + 1}.{position % 10 + 1}",
            text="Tiếp tục triển khai thực hiện các chủ trương của Tỉnh ủy về công tác dân vận. "
            * 4,
            due=date(2026, 12, 31) - timedelta(days=position),
            needs_review=position % 4 == 0,
            warnings=["Chưa nhận ra đơn vị: Sở Khoa học"] if position % 8 == 0 else [],
        )
        session.add(task)
        session.flush()
        session.add(TaskUnit(task_id=task.id, unit_id=made[position % units].id, role="lead"))
        session.add(
            TaskUnit(task_id=task.id, unit_id=made[(position + 1) % units].id, role="support")
        )
    session.commit()
    return notice.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--units", type=int, default=45)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = create_app(
            environment="testing",
            database_url=url,
            instance_path=Path(folder) / "instance",
            secret_key="bench-secret",
        )
        with Session(app.extensions["tracker.engine"], expire_on_commit=False) as session:
            notice_id = build(session, args.tasks, args.units)
        client = app.test_client()
        login = client.get("/dang-nhap").get_data(as_text=True)
        token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post(
            "/dang-nhap", data={"username": "thuky", "password": PASSWORD, "csrf_token": token}
        )
        times, size = timed(client, f"/thong-bao/{notice_id}/soan", args.repeat)
        with Session(app.extensions["tracker.engine"], expire_on_commit=False) as session:
            secretary = session.exec(select(User).where(User.username == "thuky")).one()
            drafts.publish(session, actor=secretary, conclusion_id=notice_id, expected_version=1)
            session.commit()
        # The published notice: every assignment with its bulk tick box and source link.
        published, published_size = timed(client, f"/thong-bao/{notice_id}", args.repeat)
    print(f"machine: {describe()}; load average {os.getloadavg()[0]:.1f}")
    for label, figures, kib in (
        ("review screen", times, size),
        ("published notice (bulk ticks)", published, published_size),
    ):
        print(
            f"{label}, {args.tasks} tasks, {args.units} units + 3 groups: "
            f"median {statistics.median(figures):.0f} ms, max {max(figures):.0f} ms "
            f"(n={args.repeat}); page {kib / 1024:.0f} KiB"
        )


def timed(client: Any, path: str, repeat: int) -> tuple[list[float], int]:
    """Milliseconds of each GET of `path` after a first warm-up one, and the page's size."""
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times, len(response.data)


if __name__ == "__main__":
    main()
