"""A notice's period is read as people write it and kept as its code, never cut to fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.helpers import csrf_token, login_as
from tests.notices.test_drafts import imported
from tracker.accounts.models import User
from tracker.errors import InvalidInput
from tracker.notices.drafts import DraftHeader, save_draft
from tracker.rollups.periods import Period


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Quý II/2021", "2021-Q2"),
        ("quý 4 năm 2025", "2025-Q4"),
        ("6 tháng đầu năm 2021", "2021-H1"),
        ("Sáu tháng cuối năm 2022", "2022-H2"),
        ("tháng 5/2021", "2021-05"),
        ("2021-05", "2021-05"),
        ("Năm 2026", "2026"),
        ("2021-Q3", "2021-Q3"),
    ],
)
def test_periods_are_read_as_written_and_as_the_parser_writes_them(written: str, code: str) -> None:
    assert Period.parse(written).code == code


def test_a_month_is_a_period_the_rollups_can_use() -> None:
    may = Period.parse("2021-05")
    assert (may.start.isoformat(), may.end.isoformat()) == ("2021-05-01", "2021-05-31")
    assert Period.parse("2021-01").previous().code == "2020-12"


@pytest.mark.parametrize("written", ["2021-13", "Quý V/2021", "2021-H3", "sớm nhất có thể"])
def test_what_is_no_period_is_refused_with_examples(written: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Period.parse(written)
    assert "Quý II/2021" in str(refused.value)


def _header(period: str) -> DraftHeader:
    return DraftHeader(
        number="27-TB/BTGDVTU", title="Thông báo", issued_on=None, period=period, default_due=None
    )


def test_a_draft_keeps_quy_ii_2021_as_its_code(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    saved = save_draft(
        session,
        actor=secretary,
        conclusion_id=notice.id,
        expected_version=notice.version,
        header=_header("Quý II/2021"),
        rows=[],
    )
    assert saved.period == "2021-Q2"


def test_a_draft_period_that_is_none_is_refused_not_cut(
    session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    with pytest.raises(InvalidInput):
        save_draft(
            session,
            actor=secretary,
            conclusion_id=notice.id,
            expected_version=notice.version,
            header=_header("Quý II năm hai nghìn"),
            rows=[],
        )


def test_the_draft_form_does_not_cut_the_period_at_ten_characters(
    client: FlaskClient, session: Session, secretary: User, tmp_path: Path
) -> None:
    notice = imported(session, secretary, tmp_path)
    session.commit()
    login_as(client, "thuky")
    page = client.get(f"/thong-bao/{notice.id}/soan").get_data(as_text=True)
    assert csrf_token(client, f"/thong-bao/{notice.id}/soan")
    assert 'maxlength="10"' not in page
