"""Demo data written for Đôn Đốc: a fictional province, one published notice, one user per role.

Loading is idempotent: users and the notice are created only when missing, the directory is
updated in place. Dates are placed around `today` so every status category shows up.

Everything is written through the services a user's click goes through (draft, publish, reports,
a correction that cancels, a delegation, an extension request), each on its own past day, so the
demo has the same history rows and day-by-day figures as real use and cannot drift from the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from tracker.accounts import service as accounts
from tracker.accounts.models import Role, User
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.extensions import request_extension
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.assignments.progress import delegate, report_progress
from tracker.db import clock_at
from tracker.notices.corrections import correct_task
from tracker.notices.drafts import create_draft, publish
from tracker.notices.models import Conclusion, Task
from tracker.units import service as units
from tracker.units.directory import read_directory
from tracker.units.models import Unit

DIRECTORY_FILE = Path(__file__).with_name("province.yaml")
DEMO_PASSWORD = "dondoc-demo"
DEMO_NOTICE_NUMBER = "08-TB/BDVTU"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str
    unit_code: str | None


DEMO_LOGINS = (
    DemoLogin("quantri", Role.ADMIN, "Nguyễn Văn Quản", None),
    DemoLogin("lanhdao", Role.HEAD, "Trần Thị Lãnh", None),
    DemoLogin("thuky", Role.SECRETARY, "Lê Minh Thư", None),
    DemoLogin("mattran", Role.UNIT, "Phạm Quốc Mặt", "MTTQ"),
    DemoLogin("songlam", Role.UNIT, "Võ Thị Lam", "BDV-SONGLAM"),
    DemoLogin("dvtinhuy", Role.UNIT, "Đặng Văn Tỉnh", "BDVTU"),
    DemoLogin("phunu", Role.UNIT, "Hồ Thị Nữ", "HLHPN"),
    DemoLogin("nongdan", Role.UNIT, "Lý Văn Nông", "HND"),
    DemoLogin("tinhdoan", Role.UNIT, "Mai Thanh Đoàn", "TINHDOAN"),
)


@dataclass(frozen=True)
class _DemoTask:
    code: str
    group_title: str
    text: str
    leads: tuple[str, ...]
    support: tuple[str, ...] = ()
    recurrence: str | None = None


GROUP_1 = "Công tác tham mưu cấp ủy"
GROUP_2 = "Ủy ban MTTQ Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh"
GROUP_3 = "Ban dân vận các huyện, thành ủy"
GROUP_4 = "Lực lượng vũ trang tỉnh"

DEMO_TASKS = (
    _DemoTask(
        "1.1",
        GROUP_1,
        "Tham mưu Ban Thường vụ Tỉnh ủy sơ kết việc thực hiện Quy chế dân "
        "chủ ở cơ sở, đề xuất giải pháp cho các tháng còn lại của năm.",
        ("BDVTU",),
    ),
    _DemoTask(
        "1.2",
        GROUP_1,
        "Tổng hợp kiến nghị của cử tri và nhân dân gửi tới kỳ họp, chuyển "
        "các cơ quan có thẩm quyền giải quyết.",
        ("BDVTU",),
    ),
    _DemoTask(
        "2.1",
        GROUP_2,
        "Tổ chức giám sát việc giải quyết đơn thư khiếu nại của công dân tại các xã vùng ven biển.",
        ("MTTQ",),
        ("HLHPN", "HND"),
    ),
    _DemoTask(
        "2.2",
        GROUP_2,
        'Vận động hội viên tham gia phong trào "Dân vận khéo", nhân rộng '
        "các mô hình hay ở khu dân cư.",
        ("MTTQ",),
    ),
    _DemoTask(
        "2.3",
        GROUP_2,
        "Hướng dẫn tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở các khu dân cư trên địa bàn tỉnh.",
        ("MTTQ",),
    ),
    _DemoTask(
        "2.4",
        GROUP_2,
        "Tuyên truyền, vận động đoàn viên, hội viên thực hiện chuyển đổi "
        "số trong hoạt động của tổ chức.",
        ("HLHPN", "HND", "HCCB", "TINHDOAN", "LDLD"),
    ),
    _DemoTask(
        "3.1",
        GROUP_3,
        "Nắm tình hình dư luận xã hội ở các địa bàn có dự án giải phóng mặt "
        "bằng, kịp thời báo cáo Ban Dân vận Tỉnh ủy.",
        ("BDV-SONGLAM",),
    ),
    _DemoTask(
        "4.1",
        GROUP_4,
        "Hằng tháng báo cáo kết quả thực hiện công tác dân vận của lực "
        "lượng vũ trang gắn với nhiệm vụ quốc phòng, an ninh.",
        ("BCHQS", "CATINH"),
        recurrence="monthly",
    ),
)


def quarter_bounds(day: date) -> tuple[date, date, int]:
    """First day, last day and number of the quarter containing `day`."""
    quarter = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * quarter - 2, 1)
    next_start = date(day.year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, next_start - timedelta(days=1), quarter


def load_demo(session: Session, *, today: date, source_dir: Path) -> list[DemoLogin]:
    """Load the demo province, users and notice (only what is missing); return the logins.
    `source_dir` is where notices' source files are kept (the demo notice's text goes there)."""
    units.load_directory(session, actor=None, directory=read_directory(DIRECTORY_FILE))
    users = _ensure_users(session)
    exists = session.exec(select(Conclusion).where(Conclusion.number == DEMO_NOTICE_NUMBER)).first()
    if exists is None:
        _DemoStory(session, users, today, source_dir).play()
    session.flush()
    return list(DEMO_LOGINS)


def _ensure_users(session: Session) -> dict[str, User]:
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        user = session.exec(select(User).where(User.username == login.username)).first()
        if user is None:
            user = accounts.create_user(
                session,
                actor=None,
                username=login.username,
                full_name=login.full_name,
                role=login.role,
                password=DEMO_PASSWORD,
                unit_code=login.unit_code,
            )
        users[login.username] = user
    return users


# Days before `today` on which the demo's events happen (the notice is issued first).
ISSUED_DAYS_AGO = 30

# Tasks whose due date is not the end of the quarter: days from `today` (negative: past).
DUE_FROM_TODAY = {"1.2": -10, "2.1": -5, "2.3": -20}

NOTE = "Đã triển khai tới các cơ sở; đang tổng hợp kết quả."

# (days ago, task, unit, reporter, status, percent): each a progress report on that day.
REPORTS: tuple[tuple[int, str, str, str, str, int], ...] = (
    (25, "1.1", "BDVTU", "dvtinhuy", AssignmentStatus.IN_PROGRESS, 40),
    (22, "2.3", "MTTQ", "mattran", AssignmentStatus.IN_PROGRESS, 50),
    (20, "1.2", "BDVTU", "dvtinhuy", AssignmentStatus.IN_PROGRESS, 70),
    (18, "2.1", "MTTQ", "mattran", AssignmentStatus.IN_PROGRESS, 30),
    (15, "2.3", "MTTQ", "mattran", AssignmentStatus.DONE, 100),
    (14, "3.1", "BDV-SONGLAM", "songlam", AssignmentStatus.IN_PROGRESS, 50),
    (12, "1.2", "BDVTU", "dvtinhuy", AssignmentStatus.DONE, 100),
    (8, "2.1", "MTTQ", "mattran", AssignmentStatus.IN_PROGRESS, 60),
    (6, "2.4", "HND", "nongdan", AssignmentStatus.IN_PROGRESS, 30),
    (5, "2.4", "TINHDOAN", "tinhdoan", AssignmentStatus.IN_PROGRESS, 20),
    (3, "2.4", "HLHPN", "phunu", AssignmentStatus.DONE, 100),
)


class _DemoStory:
    """The demo notice's life, played day by day through the services."""

    def __init__(self, session: Session, users: dict[str, User], today: date, source_dir: Path):
        self.session, self.users, self.today = session, users, today
        self.source_dir = source_dir
        self.units = {unit.code: unit for unit in session.exec(select(Unit)).all()}
        self.evidence = EvidenceStore(source_dir.parent / "evidence")

    @contextmanager
    def on(self, days_ago: int) -> Iterator[date]:
        """Within the block the clock reads 09:00 (local) of that day, which it yields."""
        day = self.today - timedelta(days=days_ago)
        with clock_at(datetime.combine(day, time(2), tzinfo=UTC)):
            yield day

    def play(self) -> None:
        notice = self.publish_notice()
        for days_ago, code, unit, reporter, status, percent in REPORTS:
            with self.on(days_ago) as day:
                report_progress(
                    self.session,
                    actor=self.users[reporter],
                    assignment_id=_id(self.assignment(notice, code, unit)),
                    expected_version=self.assignment(notice, code, unit).version,
                    status=status,
                    percent=percent,
                    note=NOTE,
                    uploads=[],
                    store=self.evidence,
                    today=day,
                )
        self.cancel_by_correction(notice)
        self.delegate_and_ask_for_time(notice)

    def publish_notice(self) -> Conclusion:
        secretary = self.users["thuky"]
        with self.on(ISSUED_DAYS_AGO) as issued:
            start, end, quarter = quarter_bounds(self.today)
            parsed = _parsed_notice(issued, end, quarter, start.year, self.today)
            notice = create_draft(
                self.session,
                actor=secretary,
                filename="thong-bao-ket-luan-mau.txt",
                raw=_notice_text(parsed).encode("utf-8"),
                parsed=parsed,
                source_dir=self.source_dir,
            )
            publish(
                self.session,
                actor=secretary,
                conclusion_id=_id(notice),
                expected_version=notice.version,
            )
        return notice

    def cancel_by_correction(self, notice: Conclusion) -> None:
        """Task 4.1 is taken off the provincial police (done in another plan): cancelled."""
        task = self.task(notice, "4.1")
        with self.on(10):
            correct_task(
                self.session,
                actor=self.users["thuky"],
                task_id=_id(task),
                expected_stamp=task.updated_at.isoformat(),
                text=task.text,
                due=task.due,
                lead=[f"u:{_id(self.unit('BCHQS'))}"],
                support=[],
            )

    def delegate_and_ask_for_time(self, notice: Conclusion) -> None:
        """Sông Lam hands part of 3.1 to a commune; the Front asks for more time on 2.1."""
        with self.on(9) as day:
            delegate(
                self.session,
                actor=self.users["songlam"],
                assignment_id=_id(self.assignment(notice, "3.1", "BDV-SONGLAM")),
                unit_ids=[_id(self.unit("DU-TANPHU"))],
                due=None,
                today=day,
            )
        overdue = self.assignment(notice, "2.1", "MTTQ")
        with self.on(1) as day:
            request_extension(
                self.session,
                actor=self.users["mattran"],
                assignment_id=_id(overdue),
                requested_due=max(day, overdue.due or day) + timedelta(days=30),
                reason="Cần thêm thời gian để các xã hoàn thành tổng hợp đơn thư.",
                today=day,
            )

    def unit(self, code: str) -> Unit:
        return self.units[code]

    def task(self, notice: Conclusion, code: str) -> Task:
        return self.session.exec(
            select(Task).where(Task.conclusion_id == notice.id, Task.code == code)
        ).one()

    def assignment(self, notice: Conclusion, code: str, unit: str) -> Assignment:
        return self.session.exec(
            select(Assignment).where(
                Assignment.task_id == self.task(notice, code).id,
                Assignment.unit_id == self.unit(unit).id,
                col(Assignment.parent_id).is_(None),
            )
        ).one()


def _id(row: Conclusion | Task | Assignment | Unit) -> int:
    """The id of a row already flushed (every row here is: the services flush)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} not flushed")
    return row.id


def _parsed_notice(issued: date, end: date, quarter: int, year: int, today: date) -> dict[str, Any]:
    """The demo notice as the parser would hand it to the draft."""
    return {
        "number": DEMO_NOTICE_NUMBER,
        "title": "THÔNG BÁO KẾT LUẬN CỦA TRƯỞNG BAN DÂN VẬN TỈNH ỦY tại hội nghị giao ban "
        f"công tác dân vận quý {quarter} năm {year}",
        "issuer": "BDVTU",
        "issued_on": issued.isoformat(),
        "period": f"{year}-Q{quarter}",
        "default_due": end.isoformat(),
        "tasks": [
            {
                "code": spec.code,
                "group_title": spec.group_title,
                "text": spec.text,
                "due": (
                    today + timedelta(days=DUE_FROM_TODAY[spec.code])
                    if spec.code in DUE_FROM_TODAY
                    else end
                ).isoformat(),
                "recurrence": spec.recurrence,
                "lead": list(spec.leads),
                "support": list(spec.support),
            }
            for spec in DEMO_TASKS
        ],
    }


def _notice_text(parsed: dict[str, Any]) -> str:
    """A plain-text rendering of the demo notice, kept as its source document."""
    issued = date.fromisoformat(parsed["issued_on"])
    lines = [
        "BAN DÂN VẬN TỈNH ỦY",
        f"Số {parsed['number']}",
        f"ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
        "",
        parsed["title"],
        "",
    ]
    group = None
    for task in parsed["tasks"]:
        if task["group_title"] != group:
            group = task["group_title"]
            lines += ["", group]
        due = date.fromisoformat(task["due"])
        lines.append(f"{task['code']}. {task['text']} Thời gian hoàn thành: {due:%d/%m/%Y}.")
    return "\n".join(lines) + "\n"
