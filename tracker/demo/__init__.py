"""Demo data written for Đôn Đốc: a fictional province, one published notice, one user per role.

Loading is idempotent: users and the notice are created only when missing, the directory is
updated in place. Dates are placed around `today` so every status category shows up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from tracker.accounts import service as accounts
from tracker.accounts.models import Role, User
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ProgressReport,
)
from tracker.audit import service as audit
from tracker.db import clock_at, utcnow
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskUnit
from tracker.tables import saved_id
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


def load_demo(session: Session, *, today: date) -> list[DemoLogin]:
    """Load the demo province, users and notice (only what is missing); return the logins."""
    units.load_directory(session, actor=None, directory=read_directory(DIRECTORY_FILE))
    users = _ensure_users(session)
    exists = session.exec(select(Conclusion).where(Conclusion.number == DEMO_NOTICE_NUMBER)).first()
    if exists is None:
        # Recorded as published on its issue date (a completion counts from its own date), so
        # that the figures of every day since count the demo notice.
        with clock_at(datetime.combine(_issued_on(today), time(1), tzinfo=UTC)):
            _create_notice(session, users, today)
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


def _issued_on(today: date) -> date:
    start, _end, _quarter = quarter_bounds(today)
    return max(start, today - timedelta(days=45))


def _create_notice(session: Session, users: dict[str, User], today: date) -> None:
    start, end, quarter = quarter_bounds(today)
    unit_ids = {unit.code: saved_id(unit) for unit in session.exec(select(Unit)).all()}
    secretary = users["thuky"]
    notice = Conclusion(
        number=DEMO_NOTICE_NUMBER,
        title=f"THÔNG BÁO KẾT LUẬN CỦA TRƯỞNG BAN DÂN VẬN TỈNH ỦY tại hội nghị giao ban "
        f"công tác dân vận quý {quarter} năm {start.year}",
        issuer_unit_id=unit_ids["BDVTU"],
        issued_on=_issued_on(today),
        period=f"{start.year}-Q{quarter}",
        default_due=end,
        status=NoticeStatus.PUBLISHED,
        created_by_id=secretary.id,
        published_by_id=secretary.id,
        published_at=utcnow(),
    )
    session.add(notice)
    session.flush()
    audit.record(
        session,
        actor=secretary,
        action="conclusion.published",
        entity_type="conclusion",
        entity_id=notice.id,
        changes={"status": [NoticeStatus.DRAFT, NoticeStatus.PUBLISHED]},
        note="Dữ liệu mẫu",
    )
    assignments: dict[tuple[str, str], Assignment] = {}
    for position, spec in enumerate(DEMO_TASKS):
        task = Task(
            conclusion_id=saved_id(notice),
            position=position,
            code=spec.code,
            group_title=spec.group_title,
            text=spec.text,
            due=end,
            recurrence=spec.recurrence,
        )
        session.add(task)
        session.flush()
        for code in spec.support:
            session.add(TaskUnit(task_id=saved_id(task), unit_id=unit_ids[code], role="support"))
        # One assignment per lead unit; support units read and comment through the task.
        for code in spec.leads:
            session.add(TaskUnit(task_id=saved_id(task), unit_id=unit_ids[code], role="lead"))
            assignment = Assignment(task_id=saved_id(task), unit_id=unit_ids[code], due=end)
            session.add(assignment)
            assignments[(spec.code, code)] = assignment
    session.flush()
    for assignment in assignments.values():
        audit.record(
            session,
            actor=secretary,
            action="assignment.created",
            entity_type="assignment",
            entity_id=assignment.id,
            changes={"unit_id": [None, assignment.unit_id], "due": [None, assignment.due]},
        )
    _set_progress(session, users, assignments, unit_ids, today)


def _set_progress(
    session: Session,
    users: dict[str, User],
    assignments: dict[tuple[str, str], Assignment],
    unit_ids: dict[str, int],
    today: date,
) -> None:
    """Move demo assignments into every status, each move with its report and history."""
    mttq, songlam = users["mattran"], users["songlam"]
    plan = [
        # (task, unit, reporter, status, percent, due shift from today, completed days ago)
        ("1.1", "BDVTU", None, AssignmentStatus.IN_PROGRESS, 40, None, None),
        ("1.2", "BDVTU", None, AssignmentStatus.DONE, 100, -10, 12),
        ("2.1", "MTTQ", mttq, AssignmentStatus.IN_PROGRESS, 60, -5, None),
        ("2.3", "MTTQ", mttq, AssignmentStatus.DONE, 100, -20, 15),
        ("2.4", "HLHPN", None, AssignmentStatus.DONE, 100, None, 3),
        ("2.4", "HND", None, AssignmentStatus.IN_PROGRESS, 30, None, None),
        ("2.4", "TINHDOAN", None, AssignmentStatus.IN_PROGRESS, 20, -2, None),
        ("3.1", "BDV-SONGLAM", songlam, AssignmentStatus.IN_PROGRESS, 50, None, None),
        ("4.1", "CATINH", None, AssignmentStatus.CANCELLED, 0, None, None),
    ]
    for code, unit_code, reporter, status, percent, due_shift, done_ago in plan:
        assignment = assignments[(code, unit_code)]
        before: dict[str, Any] = {
            "status": assignment.status,
            "percent": assignment.percent,
            "due": assignment.due,
            "completed_on": None,
        }
        if due_shift is not None:
            assignment.due = today + timedelta(days=due_shift)
        assignment.status, assignment.percent = status, percent
        if done_ago is not None:
            assignment.completed_on = today - timedelta(days=done_ago)
        if status == AssignmentStatus.CANCELLED:
            assignment.cancelled_reason = "Nội dung đã được giao trong kế hoạch khác của tỉnh."
        assignment.version += 1
        session.add(assignment)
        after = {
            "status": assignment.status,
            "percent": assignment.percent,
            "due": assignment.due,
            "completed_on": assignment.completed_on,
        }
        if reporter is not None:
            session.add(
                ProgressReport(
                    assignment_id=saved_id(assignment),
                    author_id=saved_id(reporter),
                    status_before=before["status"],
                    status_after=status,
                    percent_before=before["percent"],
                    percent_after=percent,
                    note="Đã triển khai tới các cơ sở; đang tổng hợp kết quả.",
                )
            )
        audit.record(
            session,
            actor=reporter,
            action="assignment.progress",
            entity_type="assignment",
            entity_id=assignment.id,
            changes=audit.diff(before, after),
            note="Dữ liệu mẫu",
        )
    # A delegation: Sông Lam hands part of 3.1 to one of its communes.
    parent = assignments[("3.1", "BDV-SONGLAM")]
    child = Assignment(
        task_id=parent.task_id,
        unit_id=unit_ids["DU-TANPHU"],
        role="lead",
        due=parent.due,
        parent_id=parent.id,
        status=AssignmentStatus.IN_PROGRESS,
        percent=50,
    )
    session.add(child)
    session.flush()
    audit.record(
        session,
        actor=songlam,
        action="assignment.delegated",
        entity_type="assignment",
        entity_id=child.id,
        changes={"unit_id": [None, child.unit_id], "parent_id": [None, parent.id]},
    )
    # An extension request waiting for the secretary.
    overdue = assignments[("2.1", "MTTQ")]
    assert overdue.due is not None  # every demo assignment has a due date
    request = ExtensionRequest(
        assignment_id=saved_id(overdue),
        requested_by_id=saved_id(mttq),
        current_due=overdue.due,
        requested_due=overdue.due + timedelta(days=30),
        reason="Cần thêm thời gian để các xã hoàn thành tổng hợp đơn thư.",
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor=mttq,
        action="extension.requested",
        entity_type="extension_request",
        entity_id=request.id,
        changes={"requested_due": [None, request.requested_due]},
    )
