"""What a review's exports contain, gathered once for the Word report and the Excel workbook.

The exports are administrative documents, so they are written in Vietnamese whatever language
the reader's screen is in.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.history import end_of
from tracker.assignments.models import ProgressReport
from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS, Category
from tracker.config import ReportSettings
from tracker.i18n import format_date, format_datetime, local_zone
from tracker.notices.models import Conclusion, NoticeStatus
from tracker.plain_text import strip_control
from tracker.rollups import report, reviews
from tracker.rollups.models import ExplanationRequest, Review, ReviewComment
from tracker.rollups.periods import Period
from tracker.rollups.queries import Figures
from tracker.units.models import Unit

SUMMARY_ROWS: list[tuple[str, str]] = [
    ("total", "Tổng số nhiệm vụ"),
    *[(category.value, CATEGORY_LABELS[category]) for category in Category],
    ("completion_rate", "Tỷ lệ hoàn thành"),
    ("on_time_rate", "Tỷ lệ hoàn thành đúng hạn (trên số đã hoàn thành)"),
]


# What the office writes by hand where the installation does not know a value.
PLACEHOLDER = "………"
# The board's own notices are numbered "08-TB/BDVTU": the part after the slash is its
# abbreviation, the one its report's number ends with too.
_NOTICE_NUMBER = re.compile(r"^\s*[^/\s]*-TB\s*/\s*([0-9A-Za-zĐđ.-]+)\s*$")
_REPORT_BATCH = 500


@dataclass(frozen=True)
class Letterhead:
    """The heading and signature of the Word report; None where the installation does not know
    the value, and the document then leaves a dotted space for the office to fill."""

    issuer: str | None
    parent_body: str | None = None  # cơ quan chủ quản, above the issuer's name
    abbreviation: str | None = None  # the "BC-…" of the report's number
    place: str | None = None  # địa danh of the date line
    signer_title: str | None = None
    signer_name: str | None = None
    recipients: tuple[str, ...] = field(default_factory=tuple)
    form: str = "state"  # ReportSettings.form: the decree's layout or the Party's


@dataclass(frozen=True)
class LatestReport:
    """A unit's last progress report on an assignment made by the end of the reference date."""

    on: date
    percent: int
    note: str


@dataclass(frozen=True)
class ReviewContent:
    """Everything one export of a review shows."""

    review: Review
    period: Period
    period_label: str
    previous_label: str
    reference: date
    issuer: str
    comparison: reviews.Comparison
    units: list[report.UnitLine]
    items: list[report.ItemLine]
    comments: dict[int, ReviewComment]
    letterhead: Letterhead = field(default_factory=lambda: Letterhead(issuer=None))
    reports: dict[int, LatestReport] = field(default_factory=dict)


def build(
    session: Session,
    *,
    actor: User,
    review: Review,
    today: date,
    letterhead: Letterhead | None = None,
    settings: ReportSettings | None = None,
) -> ReviewContent:
    """Gather a review's figures, unit table, task lines and comments, at the review's date
    (the meeting date once frozen). `letterhead` overrides what the data tells of the heading."""
    period = Period.parse(review.period)
    level = report.review_level(session, actor=actor, review=review, parent_id=None, today=today)
    comparison = reviews.compare(session, actor=actor, review=review, today=today)
    # The board that holds the meeting: the first unit at the top of the directory.
    top = session.exec(
        select(Unit).where(col(Unit.parent_id).is_(None)).order_by(col(Unit.id))
    ).first()
    reference = reviews.reference_of(review, today)
    items = report.review_items(session, actor=actor, review=review, today=today)
    return ReviewContent(
        review=review,
        period=period,
        period_label=label(period),
        previous_label=label(comparison.previous_period),
        reference=reference,
        issuer=top.name if top else "",
        comparison=comparison,
        units=level.lines,
        items=items,
        comments=reviews.comments(session, review.id or 0),
        letterhead=letterhead or letterhead_of(session, review, top, settings),
        reports=latest_reports(session, [item.assignment_id for item in items], reference),
    )


def letterhead_of(
    session: Session, review: Review, top: Unit | None, settings: ReportSettings | None = None
) -> Letterhead:
    """What the installation knows of the report's heading: the board (the top unit), the
    abbreviation on its own published notices, and, once frozen, who froze the figures (a head
    of the board) as the signer. The installation's settings (TRACKER_REPORT_*) win where set:
    the place name and the parent body are known only from them."""
    given = settings or ReportSettings()
    if top is None:
        return Letterhead(issuer=None, place=given.place or None, form=given.form)
    signer = session.get(User, review.frozen_by_id) if review.frozen_by_id else None
    return Letterhead(
        issuer=top.name,
        parent_body=given.parent_body or None,
        abbreviation=_abbreviation(session, top.id or 0),
        place=given.place or None,
        # The head of a "Ban" is its Trưởng ban; of any other body the office writes the title.
        signer_title=given.signer_title
        or ("TRƯỞNG BAN" if top.name.strip().lower().startswith("ban ") else None),
        signer_name=given.signer_name
        or (signer.full_name if signer is not None and signer.role == "head" else None),
        recipients=given.recipients,
        form=given.form,
    )


def _abbreviation(session: Session, unit_id: int) -> str | None:
    """The abbreviation most of the board's recent published notices end their number with."""
    numbers = session.exec(
        select(Conclusion.number)
        .where(Conclusion.issuer_unit_id == unit_id, Conclusion.status == NoticeStatus.PUBLISHED)
        .order_by(col(Conclusion.published_at).desc())
        .limit(50)
    ).all()
    found = Counter(
        match.group(1) for number in numbers if number and (match := _NOTICE_NUMBER.match(number))
    )
    return found.most_common(1)[0][0] if found else None


def latest_reports(
    session: Session, assignment_ids: list[int], reference: date
) -> dict[int, LatestReport]:
    """Each assignment's last progress report (web or chat) made by the end of `reference`.

    Reports are never edited nor deleted, so for a frozen review this is what the meeting saw.
    """
    found: dict[int, LatestReport] = {}
    for start in range(0, len(assignment_ids), _REPORT_BATCH):
        batch = assignment_ids[start : start + _REPORT_BATCH]
        report = ProgressReport.__table__.c  # type: ignore[attr-defined]
        ranked = (
            sql_select(
                report.assignment_id,
                report.created_at,
                report.percent_after,
                report.note,
                func.row_number()
                .over(
                    partition_by=report.assignment_id,
                    order_by=(report.created_at.desc(), report.id.desc()),
                )
                .label("position"),
            )
            .where(report.assignment_id.in_(batch), report.created_at < end_of(reference))
            .subquery()
        )
        rows = session.execute(
            sql_select(
                ranked.c.assignment_id, ranked.c.created_at, ranked.c.percent_after, ranked.c.note
            ).where(ranked.c.position == 1)
        ).all()
        for assignment_id, created_at, percent, note in rows:
            found[assignment_id] = LatestReport(
                on=_local_day(created_at), percent=percent, note=strip_control(note or "")
            )
    return found


def _local_day(moment: datetime) -> date:
    """The users' calendar day of a stored moment."""
    return moment.astimezone(local_zone()).date()


def label(period: Period) -> str:
    """The period's Vietnamese name ("Quý II/2021")."""
    template, params = period.label()
    return template.format(**params)


def summary_value(figures: Figures, key: str) -> int | float | None:
    """One line of the summary table: a count, or a rate between 0 and 1."""
    if key == "total":
        return figures.total
    if key == "completion_rate":
        return figures.completion_rate
    if key == "on_time_rate":
        return figures.on_time_rate
    return figures.counts[Category(key)]


def rate_text(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def status_text(item: report.ItemLine) -> str:
    """The stored status, its reporting category, and the completion date if done."""
    text = f"{STATUS_LABELS[item.status]} – {CATEGORY_LABELS[item.category]}"
    if item.completed_on:
        text += f" ({format_date(item.completed_on)})"
    elif item.status == "in_progress":
        text += f" ({item.percent}%)"
    return text


def report_text(item: report.ItemLine, latest: LatestReport | None) -> str:
    """The last report's date and percent with its note; the last note if that one had none."""
    if latest is None:
        return item.latest_report or ""
    text = f"Ngày {format_date(latest.on)}: {latest.percent}%"
    if latest.note:
        return f"{text}. {latest.note}"
    if item.latest_report:
        return f"{text}.\nGhi chú gần nhất: {item.latest_report}"
    return text


def explanation_text(requests: list[ExplanationRequest]) -> str:
    """Each request and its answer with their dates, one after the other."""
    parts = []
    for request in requests:
        parts.append(f"Yêu cầu ngày {_when(request.requested_at)}: {request.message}")
        if request.answer is not None:
            parts.append(f"Giải trình ngày {_when(request.answered_at)}: {request.answer}")
        else:
            parts.append("Chưa giải trình.")
    return "\n".join(parts)


def _when(moment: datetime | None) -> str:
    return format_datetime(moment)[:10] if moment else ""


def sheet_title(text: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join("_" if char in "[]:*?/\\" else char for char in strip_control(text))
    clean = clean[:31] or "Sheet"
    title, number = clean, 2
    while title.lower() in used:
        suffix = f" ({number})"
        title, number = clean[: 31 - len(suffix)] + suffix, number + 1
    used.add(title.lower())
    return title
