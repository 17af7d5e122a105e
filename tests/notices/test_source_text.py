"""The original document one click from a task: its extracted text with the task's paragraph
marked and an anchor to scroll to; everything escaped; found again by its words (Unicode and
spacing normalised) or by its code."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.notices.test_desk_views import draft
from tracker.accounts.models import User
from tracker.notices.models import Task
from tracker.notices.source_text import locate
from tracker.parsing.limits import ParseLimits

LINES = [
    "II. NHIỆM VỤ",
    "d) Hướng dẫn các đoàn thể tỉnh xây dựng mô hình",
    '"Dân vận khéo" gắn với chuyển đổi số ở cơ sở.',
    "đ) Phối hợp với Ủy ban MTTQ tỉnh tổ chức gặp mặt người có uy tín.",
]


def test_locate_finds_a_wrapped_paragraph_whatever_the_unicode_form_and_spacing() -> None:
    text = (
        'Hướng dẫn các  đoàn thể tỉnh xây dựng mô hình "Dân vận khéo" '
        "gắn với chuyển đổi số ở cơ sở."
    )
    task = Task(conclusion_id=1, code="1.d", text=unicodedata.normalize("NFD", text))
    assert locate(LINES, task) == range(1, 3)  # both lines, not the next task


def test_locate_finds_a_task_read_from_a_table_with_its_unit_in_front() -> None:
    lines = ["Công an tỉnh", "Chủ trì, phối hợp với các cơ quan tham mưu kiện toàn Ban Chỉ đạo."]
    task = Task(
        conclusion_id=1,
        code="III.1",
        text="Công an tỉnh - Chủ trì, phối hợp với các cơ quan tham mưu kiện toàn Ban Chỉ đạo.",
    )
    assert locate(lines, task) == range(1, 2)


def test_locate_falls_back_to_the_code_when_the_text_was_rewritten() -> None:
    task = Task(conclusion_id=1, code="đ", text="Nội dung đã viết lại hoàn toàn khác")
    assert locate(LINES, task) == range(3, 4)
    nowhere = Task(conclusion_id=1, code="9.z", text="Không có trong văn bản")
    assert locate(LINES, nowhere) == range(0)


def test_the_text_view_marks_the_tasks_paragraph_and_escapes(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    _location, page = draft(client)
    task = session.exec(select(Task).where(Task.code == "1.d")).one()
    link = f"/thong-bao/{task.conclusion_id}/van-ban-goc/doc?task={task.id}#doan-{task.id}"
    assert link.replace("&", "&amp;") in page  # one click from its row in the review table
    response = client.get(link.split("#")[0])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    marked = re.findall(r'<p class="is-marked"[^>]*><mark>(.*?)</mark></p>', html)
    assert marked == [
        "d) Hướng dẫn các đoàn thể tỉnh xây dựng mô hình",
        "&#34;Dân vận khéo&#34; gắn với chuyển đổi số ở cơ sở.",
    ]
    assert f'id="doan-{task.id}"' in html
    assert "<script" not in html.split("<main>")[1]
    other = client.get(f"/thong-bao/{task.conclusion_id}/van-ban-goc/doc?task=999999")
    assert other.status_code == 404


def test_the_original_is_read_once_for_task_after_task(
    client: FlaskClient, session: Session, secretary: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secretary opens one task's paragraph after another: the stored file is read once."""
    from tracker.notices import source_text

    _location, _page = draft(client)
    reads: list[str] = []
    original = source_text._read_lines

    def counting(path: Path, limits: ParseLimits) -> list[str]:
        reads.append(path.suffix)
        return original(path, limits)

    monkeypatch.setattr(source_text, "_read_lines", counting)
    source_text._extracted.cache_clear()
    tasks = session.exec(select(Task)).all()
    assert len(tasks) > 3
    for task in tasks:
        response = client.get(f"/thong-bao/{task.conclusion_id}/van-ban-goc/doc?task={task.id}")
        assert response.status_code == 200
        assert f'id="doan-{task.id}"' in response.get_data(as_text=True)
    assert len(reads) == 1, reads
