"""What a review's exports contain, gathered once for the Word report and the Excel workbook.

The exports are administrative documents, so they are written in Vietnamese whatever language
the reader's screen is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS, Category
from tracker.i18n import format_date, format_datetime
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


def build(session: Session, *, actor: User, review: Review, today: date) -> ReviewContent:
    """Gather a review's figures, unit table, task lines and comments."""
    period = Period.parse(review.period)
    level = report.review_level(session, actor=actor, review=review, parent_id=None, today=today)
    comparison = reviews.compare(session, actor=actor, review=review, today=today)
    # The board that holds the meeting: the first unit at the top of the directory.
    top = session.exec(
        select(Unit).where(col(Unit.parent_id).is_(None)).order_by(col(Unit.id))
    ).first()
    return ReviewContent(
        review=review,
        period=period,
        period_label=label(period),
        previous_label=label(comparison.previous_period),
        reference=reviews.reference_of(review, today),
        issuer=top.name if top else "",
        comparison=comparison,
        units=level.lines,
        items=report.review_items(session, actor=actor, review=review, today=today),
        comments=reviews.comments(session, review.id or 0),
    )


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
