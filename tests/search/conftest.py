"""A small province for the search tests: two units, a notice with a task for each, a report
and a comment on the other unit's task, and a draft only the secretary may find."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from tests.helpers import make_assignment, make_notice, make_unit, make_user
from tracker.accounts.models import User
from tracker.assignments.models import Assignment, AssignmentComment, ProgressReport
from tracker.notices.models import Conclusion, Task


@dataclass
class Province:
    mine: Assignment
    theirs: Assignment
    unit_user: User
    other_user: User
    head: User
    secretary: User
    draft: Conclusion


@pytest.fixture
def province(session: Session) -> Province:
    own = make_unit(session, "MTTQ", "Ủy ban MTTQ tỉnh")
    other = make_unit(session, "HND", "Hội Nông dân tỉnh")
    secretary = make_user(session, "secretary", username="thuky")
    notice = make_notice(session, by=secretary, number="12-TB/TU")
    notice.title = "Thông báo kết luận về thực hiện Quy chế dân chủ ở cơ sở"
    mine = make_assignment(
        session, notice, own, code="1", text="Đôn đốc các xã sửa đổi quy chế dân chủ ở cơ sở"
    )
    theirs = make_assignment(
        session, notice, other, code="2", text="Tổng kết mô hình dân vận khéo ở vùng đồng bào"
    )
    session.add(
        ProgressReport(
            assignment_id=theirs.id,
            author_id=secretary.id,
            status_before="not_started",
            status_after="in_progress",
            percent_before=0,
            percent_after=40,
            note="Đã họp bàn về mô hình khéo vận động, bí mật nội bộ",
        )
    )
    session.add(
        AssignmentComment(
            assignment_id=theirs.id, author_id=secretary.id, body="Góp ý riêng cho Hội: bí mật"
        )
    )
    draft = make_notice(session, published=False, by=secretary, number="99-TB/NHAP")
    draft.title = "Dự thảo về bí mật chưa ban hành"
    session.add(draft)
    session.flush()
    session.add(Task(conclusion_id=draft.id, code="1", text="Nhiệm vụ bí mật trong bản nháp"))
    province = Province(
        mine=mine,
        theirs=theirs,
        unit_user=make_user(session, "unit", unit=own, username="mattran"),
        other_user=make_user(session, "unit", unit=other, username="nongdan"),
        head=make_user(session, "head", username="lanhdao"),
        secretary=secretary,
        draft=draft,
    )
    session.commit()
    return province
