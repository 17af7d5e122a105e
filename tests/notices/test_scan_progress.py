"""A scan is read page by page, and the import's progress page says how far it has come."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import login_as
from tests.parsing.test_scans import NOTICE, _require_ocr
from tracker.accounts.models import User
from tracker.notices.models import NoticeImport
from tracker.parsing.limits import ParseLimits
from tracker.parsing.sandbox import run_parse


@pytest.mark.slow
def test_the_parse_child_reports_each_page_of_a_scan() -> None:
    _require_ocr()
    from tests.parsing.scan_builder import scanned_pdf

    pdf = scanned_pdf(NOTICE.read_text(encoding="utf-8"))
    seen: list[tuple[int, int]] = []
    run = run_parse(
        pdf, "ban-quet.pdf", None, ParseLimits(), on_progress=lambda d, t: seen.append((d, t))
    )
    assert run.error is None
    total = seen[-1][1]
    assert total >= 2
    assert seen == [(page, total) for page in range(1, total + 1)]


def test_the_progress_page_shows_the_page_being_read(
    client: FlaskClient, session: Session, secretary: User
) -> None:
    job = NoticeImport(
        created_by_id=secretary.id,
        filename="ban-quet.pdf",
        size_bytes=2048,
        status="running",
        pages_done=3,
        pages_total=7,
    )
    session.add(job)
    session.commit()
    login_as(client, "thuky")
    page = client.get(f"/thong-bao/nhap/{job.id}").get_data(as_text=True)
    assert "đã đọc trang 3/7" in page
    assert '<progress value="3" max="7">' in page


@pytest.mark.slow
def test_an_old_word_file_is_read_within_the_default_caps(tmp_path: Path) -> None:
    """LibreOffice runs inside the capped child: the default address-space cap must fit it
    (at 300 MB every .doc was refused as corrupt)."""
    from tests.parsing.docx_builder import build_docx
    from tests.parsing.test_legacy import ROWS, _convert

    doc = _convert(build_docx(automatic=True, rows=ROWS), "doc", tmp_path)
    run = run_parse(doc, "cu.doc", None, ParseLimits())
    assert run.error is None, run.error
    assert run.parsed()["tasks"]
