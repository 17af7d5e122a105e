"""Fill a database with N units and M assignments over several quarters, for the benchmarks.

    python bench/generate.py --units 2000 --assignments 1000000 [--database-url URL]

Rows go in with bulk inserts (COPY on PostgreSQL, executemany on SQLite) and explicit ids, so a
million assignments take minutes. The database must be migrated (done here) and hold no
assignments yet. Statuses follow the calendar: past quarters are mostly done (some late, some
still overdue), the current quarter is mixed, future quarters have not started.

Each assignment gets its history too (assignment_state): not started from its notice's
publication, then in progress, done on its completion date or cancelled, and one in ten with
an extension approved on the way, so the figures of a past date read real history. At the end
the database is analysed (and vacuumed on PostgreSQL, for index-only scans).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import add_database_argument, database_url, describe
from tracker import migrate
from tracker.accounts.models import User
from tracker.assignments.models import (
    STILL_IN_FORCE,
    Assignment,
    AssignmentComment,
    AssignmentState,
    ProgressReport,
)
from tracker.db import make_engine
from tracker.notices.models import Conclusion, Task
from tracker.units.models import Unit

TASKS_PER_NOTICE = 20
# Words for the tasks, reports and comments, so that search has real text to rank.
ACTIONS = (
    "Triển khai",
    "Đôn đốc",
    "Tổng kết",
    "Sơ kết",
    "Kiểm tra",
    "Rà soát",
    "Tuyên truyền",
    "Xây dựng kế hoạch",
    "Hướng dẫn",
    "Nắm tình hình",
    "Báo cáo kết quả",
    "Phối hợp thực hiện",
)
SUBJECTS = (
    "Quy chế dân chủ ở cơ sở",
    "mô hình dân vận khéo",
    "công tác giải phóng mặt bằng",
    "chuyển đổi số",
    "phòng, chống tham nhũng, tiêu cực",
    "xây dựng nông thôn mới",
    "đào tạo, bồi dưỡng cán bộ",
    "cải cách hành chính",
    "công tác dân tộc, tôn giáo",
    "giảm nghèo bền vững",
    "an ninh trật tự",
    "đối thoại với Nhân dân",
    "tiếp công dân",
    "bảo vệ môi trường",
    "phong trào thi đua yêu nước",
    "công tác thông tin đối ngoại",
)
PLACES = (
    "tại các xã, thị trấn",
    "trên địa bàn huyện",
    "ở vùng đồng bào dân tộc thiểu số",
    "trong các cơ quan, đơn vị",
    "tại khu dân cư",
    "đối với đoàn viên, hội viên",
)
REPORT_NOTES = (
    "Đã tổ chức hội nghị quán triệt {subject}",
    "Đang hoàn thiện dự thảo kế hoạch về {subject}",
    "Đã gửi văn bản hướng dẫn {subject} {place}",
    "Chậm do thiếu kinh phí cho {subject}",
    "Đã kiểm tra {place}, kết quả {subject} đạt yêu cầu",
)
COMMENTS = (
    "Đề nghị bổ sung số liệu về {subject}",
    "Lưu ý tiến độ {subject} {place}",
    "Thống nhất với đề xuất của đơn vị về {subject}",
)
UNITS_PER_TASK = 5
BATCH = 20_000
CREATED_AT = datetime(2020, 1, 1, tzinfo=UTC)
# The secretary who "published" the generated notices; "!" is no valid hash, so no one logs in.
PUBLISHER = {
    "id": 1,
    "username": "bench-secretary",
    "full_name": "Benchmark",
    "role": "secretary",
    "password_hash": "!",
    "is_active": False,
    "created_at": CREATED_AT,
}


@dataclass
class Summary:
    units: int
    notices: int
    tasks: int
    assignments: int
    states: int
    seconds: float
    reports: int = 0
    comments: int = 0


def quarters_ending(today: date, count: int) -> list[tuple[date, date, str]]:
    """The `count` quarters up to the one containing `today`: (start, end, '2021-Q2')."""
    quarter = (today.month - 1) // 3
    year = today.year
    result = []
    for _ in range(count):
        start = date(year, quarter * 3 + 1, 1)
        end = date(year + (quarter == 3), 1 if quarter == 3 else quarter * 3 + 4, 1) - timedelta(1)
        result.append((start, end, f"{year}-Q{quarter + 1}"))
        quarter -= 1
        if quarter < 0:
            quarter, year = 3, year - 1
    return list(reversed(result))


def _units(count: int) -> list[dict]:
    """A province board, districts under it, communes under the districts."""
    rows = [{"id": 1, "code": "U00001", "name": "Ban Dân vận Tỉnh ủy", "parent_id": None}]
    districts = max(1, count // 10)
    for number in range(2, count + 1):
        parent = 1 if number <= districts + 1 else 2 + (number % districts)
        kind = "Ban Dân vận Huyện ủy" if parent == 1 else "Đảng ủy xã"
        rows.append(
            {
                "id": number,
                "code": f"U{number:05d}",
                "name": f"{kind} số {number}",
                "parent_id": parent,
            }
        )
    for row in rows:
        row.update(aliases=[], is_active=True, created_at=CREATED_AT, updated_at=CREATED_AT)
    return rows


def _task_text(rng: random.Random, number: int) -> str:
    subject = rng.choice(SUBJECTS)
    return f"{rng.choice(ACTIONS)} {subject} {rng.choice(PLACES)} (nhiệm vụ số {number})"


def _discussion(
    rng: random.Random, batch: list[dict], next_ids: dict[str, int]
) -> tuple[list[dict], list[dict]]:
    """Progress reports (about one started assignment in three) and comments (one in ten)."""
    reports, comments = [], []
    for row in batch:
        words = {"subject": rng.choice(SUBJECTS), "place": rng.choice(PLACES)}
        if row["status"] != "not_started" and rng.random() < 0.33:
            next_ids["report"] += 1
            reports.append(
                {
                    "id": next_ids["report"],
                    "assignment_id": row["id"],
                    "author_id": 1,
                    "created_at": CREATED_AT,
                    "status_before": "not_started",
                    "status_after": row["status"],
                    "percent_before": 0,
                    "percent_after": row["percent"],
                    "note": rng.choice(REPORT_NOTES).format(**words),
                }
            )
        if rng.random() < 0.1:
            next_ids["comment"] += 1
            comments.append(
                {
                    "id": next_ids["comment"],
                    "assignment_id": row["id"],
                    "author_id": 1,
                    "created_at": CREATED_AT,
                    "body": rng.choice(COMMENTS).format(**words),
                }
            )
    return reports, comments


def _assignment_state(rng: random.Random, due: date, today: date) -> tuple[str, int, date | None]:
    """(status, percent, completed_on) plausible for an assignment due on `due`, seen `today`."""
    if due < today:
        roll = rng.random()
        if roll < 0.70:
            return "done", 100, due - timedelta(days=rng.randint(0, 20))
        if roll < 0.85:
            return "done", 100, min(today, due + timedelta(days=rng.randint(1, 30)))
        if roll < 0.97:
            return "in_progress", rng.randint(10, 90), None
        return "cancelled", 0, None
    roll = rng.random()
    if roll < 0.15:
        return "done", 100, today - timedelta(days=rng.randint(0, 10))
    if roll < 0.60:
        return "in_progress", rng.randint(5, 95), None
    return "not_started", 0, None


def _history(rng: random.Random, row: dict, published: date, today: date) -> list[dict]:
    """The state rows of one generated assignment, ending in its stored state."""
    start = min(published, today)
    final_due, status = row["due"], row["status"]
    changes: list[tuple[date, dict]] = []
    first_due = final_due
    if final_due is not None and rng.random() < 0.1:
        first_due = final_due - timedelta(days=30)
        approved = first_due - timedelta(days=rng.randint(0, 10))
        changes.append((min(today, max(start, approved)), {"due": final_due}))
    if status in ("in_progress", "done"):
        end = row["completed_on"] or today
        started = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
        percent = row["percent"] if status == "in_progress" else rng.randint(10, 90)
        changes.append((started, {"status": "in_progress", "percent": percent}))
    if status == "done":
        done = {"status": "done", "percent": 100, "completed_on": row["completed_on"]}
        changes.append((max(start, row["completed_on"]), done))
    if status == "cancelled":
        changes.append((start + timedelta(days=rng.randint(0, 40)), {"status": "cancelled"}))
    fixed = {name: row[name] for name in ("task_id", "unit_id", "parent_id")}
    state = {"status": "not_started", "percent": 0, "due": first_due, "completed_on": None}
    rows = [{"assignment_id": row["id"], **fixed, **state, "valid_from": start}]
    for day, change in sorted(changes, key=lambda pair: pair[0]):
        state = {**state, **change}
        if day <= rows[-1]["valid_from"]:
            rows[-1].update(state)
            continue
        rows[-1]["valid_until"] = day
        rows.append({"assignment_id": row["id"], **fixed, **state, "valid_from": day})
    rows[-1]["valid_until"] = STILL_IN_FORCE
    for state_row in rows:
        state_row["recorded_at"] = CREATED_AT
    return rows


def _plan(
    units: int, assignments: int, quarters: int, today: date, seed: int
) -> tuple[list[dict], list[dict], Iterator[tuple[list[dict], list[dict]]]]:
    rng = random.Random(seed)
    # Texts from their own generator: the statuses and dates stay those of earlier versions.
    words = random.Random(seed + 1)
    task_count = -(-assignments // UNITS_PER_TASK)
    notice_count = -(-task_count // TASKS_PER_NOTICE)
    periods = quarters_ending(today, quarters)
    notices = []
    for number in range(1, notice_count + 1):
        start, end, period = periods[number % len(periods)]
        published = datetime.combine(start + timedelta(days=9), datetime.min.time(), tzinfo=UTC)
        notices.append(
            {
                "id": number,
                "number": f"{number}-TB/BENCH",
                "title": f"Thông báo kết luận {number} về {words.choice(SUBJECTS)}",
                "issued_on": start + timedelta(days=9),
                "period": period,
                "default_due": end,
                "parse_warnings": [],
                "status": "published",
                "version": 1,
                "created_by_id": 1,
                "created_at": published,
                "updated_at": published,
                "published_by_id": 1,
                "published_at": published,
                "issuer_unit_id": 1,
            }
        )
    tasks = []
    for number in range(1, task_count + 1):
        notice = notices[(number - 1) // TASKS_PER_NOTICE]
        due = (
            notice["default_due"]
            if rng.random() < 0.8
            else (notice["issued_on"] + timedelta(days=rng.randint(20, 80)))
        )
        tasks.append(
            {
                "id": number,
                "conclusion_id": notice["id"],
                "position": number % TASKS_PER_NOTICE,
                "code": f"{number % 7 + 1}.{number % TASKS_PER_NOTICE + 1}",
                "group_title": None,
                "text": _task_text(words, number),
                "due": due,
                "recurrence": None,
                "needs_review": False,
                "warnings": [],
                "created_at": CREATED_AT,
                "updated_at": CREATED_AT,
            }
        )

    def assignment_batches() -> Iterator[tuple[list[dict], list[dict]]]:
        batch: list[dict] = []
        states: list[dict] = []
        for number in range(1, assignments + 1):
            task = tasks[(number - 1) // UNITS_PER_TASK]
            # Each task's units are consecutive from a scattered start: spread, never repeated.
            offset = (number - 1) % UNITS_PER_TASK
            unit_id = (task["id"] * 7919 + offset) % units + 1
            status, percent, completed_on = _assignment_state(rng, task["due"], today)
            batch.append(
                {
                    "id": number,
                    "task_id": task["id"],
                    "unit_id": unit_id,
                    "due": task["due"],
                    "status": status,
                    "percent": percent,
                    "completed_on": completed_on,
                    "cancelled_reason": "Không còn phù hợp" if status == "cancelled" else None,
                    "parent_id": None,
                    "version": 1,
                    "created_at": CREATED_AT,
                    "updated_at": CREATED_AT,
                }
            )
            published = notices[task["conclusion_id"] - 1]["issued_on"]
            states += _history(rng, batch[-1], published, today)
            if len(batch) == BATCH:
                yield batch, states
                batch, states = [], []
        if batch:
            yield batch, states

    return notices, tasks, assignment_batches()


def _insert(engine: Engine, table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    if not rows:
        return
    if engine.dialect.name == "postgresql":
        columns = list(rows[0])
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            names = ", ".join(f'"{column}"' for column in columns)
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_pg_value(row[column]) for column in columns])
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)


def _pg_value(value: object) -> object:
    if isinstance(value, list):
        return json.dumps(value)
    return value


def generate(
    engine: Engine,
    *,
    units: int,
    assignments: int,
    quarters: int = 8,
    today: date | None = None,
    seed: int = 1,
) -> Summary:
    """Write the data set; refuse a database that already holds assignments."""
    if units < UNITS_PER_TASK:
        raise ValueError(f"at least {UNITS_PER_TASK} units are needed")
    today = today or date.today()
    with engine.connect() as connection:
        for model in (User, Unit, Assignment):
            if connection.execute(select(func.count()).select_from(model)).scalar_one():
                raise SystemExit(
                    "Cơ sở dữ liệu đã có dữ liệu: hãy dùng một CSDL trống (đã nâng cấp). "
                    "/ The database is not empty: use an empty, migrated one."
                )
    started = time.perf_counter()
    unit_rows = _units(units)
    notices, tasks, batches = _plan(units, assignments, quarters, today, seed)
    _insert(engine, Unit.__table__, unit_rows)
    _insert(engine, User.__table__, [PUBLISHER])
    _insert(engine, Conclusion.__table__, notices)
    for start in range(0, len(tasks), BATCH):
        _insert(engine, Task.__table__, tasks[start : start + BATCH])
    written = states_written = 0
    texts = random.Random(seed + 2)
    next_ids = {"report": 0, "comment": 0}
    for batch, states in batches:
        _insert(engine, Assignment.__table__, batch)
        for state_id, state in enumerate(states, start=states_written + 1):
            state["id"] = state_id
        _insert(engine, AssignmentState.__table__, states)
        reports, comments = _discussion(texts, batch, next_ids)
        _insert(engine, ProgressReport.__table__, reports)
        _insert(engine, AssignmentComment.__table__, comments)
        written += len(batch)
        states_written += len(states)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            tables = (
                "unit",
                "user_account",
                "conclusion",
                "task",
                "assignment",
                "assignment_state",
                "progress_report",
                "assignment_comment",
            )
            for table in tables:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
        # VACUUM too, as autovacuum would some time after a bulk load: it marks the pages
        # all-visible, without which PostgreSQL cannot answer a rollup from an index alone.
        autocommit = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return Summary(
        units=len(unit_rows),
        notices=len(notices),
        tasks=len(tasks),
        assignments=written,
        states=states_written,
        reports=next_ids["report"],
        comments=next_ids["comment"],
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if args.units < UNITS_PER_TASK or args.assignments < 0:
        parser.error(f"--units must be at least {UNITS_PER_TASK}; --assignments not negative")
    migrate.upgrade(url)
    engine = make_engine(url)
    summary = generate(
        engine,
        units=args.units,
        assignments=args.assignments,
        quarters=args.quarters,
        seed=args.seed,
    )
    rate = summary.assignments / summary.seconds if summary.seconds else 0
    print(f"machine: {describe()}")
    print(f"database: {engine.dialect.name} {engine.url.render_as_string()}")
    print(
        f"wrote {summary.units} units, {summary.notices} notices, {summary.tasks} tasks, "
        f"{summary.assignments} assignments with {summary.states} state rows, "
        f"{summary.reports} progress reports, {summary.comments} comments "
        f"in {summary.seconds:.1f} s "
        f"({rate:,.0f} assignments/s)"
    )


if __name__ == "__main__":
    main()
