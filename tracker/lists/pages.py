"""One assignment list page for a view: read the query string, query, page or export.

The views (the unit's home, the secretary's list, the head's drill-down) call `assignment_page`
with their audience and template; an `?xuat=csv|xlsx` link of the same page gets the same
filters and sort, every page of it, as a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from sqlmodel import Session
from werkzeug.wrappers import Response

from tracker.accounts.models import User
from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS, Category
from tracker.errors import InvalidInput
from tracker.i18n import translate_error
from tracker.lists import assignments as lists
from tracker.lists import export
from tracker.lists import notices as notice_lists
from tracker.lists.core import EXPORT_ARG, ArgsReader, Links, Page, fetch_page
from tracker.rollups.periods import Period, period_choices


@dataclass(frozen=True)
class ListView:
    """What the list template needs besides the rows."""

    page: Page
    links: Links
    filters: Any
    kept: Mapping[str, str]
    errors: list[str]
    reference: date
    audience: lists.Audience | None
    options: Mapping[str, list[tuple[str, str]]]
    tallies: list[lists.Tally] = field(default_factory=list)
    columns: tuple[Any, ...] = lists.COLUMNS
    export_cap: int = export.EXPORT_CAP


def _period_label(period: Period) -> str:
    template, params = period.label()
    return _(template).format(**params)


def _options(
    session: Session, viewer: lists.Viewer, reference: date, filters: lists.Filters
) -> dict[str, list[tuple[str, str]]]:
    units = [(str(unit.id), unit.name) for unit in lists.unit_choices(session, viewer)]
    if filters.unit_id is not None and str(filters.unit_id) not in dict(units):
        units.append((str(filters.unit_id), _("Đơn vị đang chọn")))
    notices = [
        (str(notice.id), notice.number or notice.title[:60])
        for notice in lists.notice_choices(session, viewer)
    ]
    periods = [
        (period.code, _period_label(period))
        for period in period_choices(*lists.due_years(session, reference))
    ]
    return {
        "tt": [(value, _(label)) for value, label in lists.STATUS_LABELS.items()],
        "loai": [(item.value, _(CATEGORY_LABELS[item])) for item in Category],
        "han": [(value, _(label)) for value, label in lists.DUE_WINDOWS.items()],
        "cho": [(value, _(label)) for value, label in lists.WAITING.items()],
        "tb": notices,
        "dv": units,
        "ky": periods,
        "sap": [(column.key, _(column.label)) for column in lists.COLUMNS],
    }


def assignment_page(
    session: Session,
    *,
    actor: User,
    audience: lists.Audience,
    endpoint: str,
    template: str,
    reference: date,
    default_status: str,
    fixed: Mapping[str, Any] | None = None,
    extra_errors: list[InvalidInput] | None = None,
    **context: Any,
) -> Response | tuple[str, int]:
    """The list page (or its export) for `actor`; 400 with the messages when a filter was bad."""
    viewer = lists.Viewer.of(session, actor, audience)
    reader = ArgsReader(request.args)
    reader.errors.extend(extra_errors or [])
    filters = lists.read_filters(reader, default_status=default_status)
    sort = lists.read_sort_of(request.args)
    query = lists.statement(session, viewer, filters, sort, reference)
    total = lists.count(session, viewer, filters, reference)
    kind = request.args.get(EXPORT_ARG, "")
    if kind in export.KINDS:
        raw = session.exec(query.limit(export.EXPORT_CAP)).all()  # type: ignore[call-overload]
        return export.download(_export_table(lists.rows(viewer, raw), total, reference), kind)
    page = fetch_page(session, query, number=reader.page(), total=total)
    links = Links(
        endpoint=endpoint,
        filters=dict(reader.kept),
        sort=sort,
        default_sort=lists.DEFAULT_SORT,
        columns=lists.COLUMNS,
        fixed=dict(fixed or {}),
    )
    view = ListView(
        page=replace_rows(page, lists.rows(viewer, page.rows)),
        links=links,
        filters=filters,
        kept=reader.kept,
        errors=[translate_error(error) for error in reader.errors],
        reference=reference,
        audience=audience,
        options=_options(session, viewer, reference, filters),
        tallies=lists.unit_tallies(session, viewer, reference)
        if audience == lists.Audience.UNIT
        else [],
    )
    body = render_template(
        template,
        view=view,
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
        **context,
    )
    return body, 400 if view.errors else 200


def replace_rows(page: Page, rows: list[Any]) -> Page:
    return Page(rows=rows, number=page.number, total=page.total, per_page=page.per_page)


EXPORT_HEADINGS = (
    "Mã giao việc",
    "Số thông báo",
    "Mã nhiệm vụ",
    "Nhiệm vụ",
    "Đơn vị",
    "Hạn",
    "Tiến độ (%)",
    "Trạng thái",
    "Tình trạng",
    "Ngày hoàn thành",
)


def _export_table(rows: list[lists.Row], total: int, reference: date) -> export.Table:
    return export.Table(
        name=f"nhiem-vu-{reference.strftime('%Y%m%d')}",
        headings=(
            *EXPORT_HEADINGS[:8],
            f"Tình trạng (tính đến {reference:%d/%m/%Y})",
            EXPORT_HEADINGS[9],
        ),
        rows=[
            (
                row.assignment.id,
                row.conclusion.number or row.conclusion.title,
                row.task.code,
                row.task.text,
                row.unit.name,
                row.due,
                row.percent,
                STATUS_LABELS[row.status],
                CATEGORY_LABELS[row.category],
                row.completed_on,
            )
            for row in rows
        ],
        total=total,
    )


NOTICE_HEADINGS = (
    "Số",
    "Trích yếu",
    "Kỳ",
    "Hạn chung",
    "Số nhiệm vụ",
    "Số lượt giao",
    "Số lượt giao quá hạn",
    "Trạng thái",
    "Ngày ban hành",
)


def notice_page(
    session: Session, *, actor: User, endpoint: str, template: str, reference: date, **context: Any
) -> Response | tuple[str, int]:
    """The notices list (or its export) for `actor`; 400 with the messages when a filter was
    bad."""
    reader = ArgsReader(request.args)
    filters = notice_lists.read_filters(reader)
    sort = notice_lists.read_sort_of(request.args)
    query = notice_lists.statement(session, actor, filters, sort, reference)
    total = notice_lists.count(session, actor, filters, reference)
    kind = request.args.get(EXPORT_ARG, "")
    if kind in export.KINDS:
        capped = query.limit(export.EXPORT_CAP)
        ids = list(session.exec(capped).all())  # type: ignore[call-overload]
        found = notice_lists.load_rows(session, ids, reference)
        table = export.Table(
            name=f"thong-bao-{reference:%Y%m%d}",
            headings=NOTICE_HEADINGS,
            rows=[
                (
                    row.conclusion.number,
                    row.conclusion.title,
                    row.conclusion.period,
                    row.conclusion.default_due,
                    row.task_count,
                    row.assignment_count,
                    row.overdue_count,
                    notice_lists.NOTICE_STATUSES[row.conclusion.status],
                    row.conclusion.published_at.date() if row.conclusion.published_at else None,
                )
                for row in found
            ],
            total=total,
        )
        return export.download(table, kind)
    page = fetch_page(session, query, number=reader.page(), total=total)
    viewer = lists.Viewer(lists.Audience.ALL)
    options = _options(session, viewer, reference, lists.Filters(unit_id=filters.unit_id))
    options["tt"] = [(value, _(label)) for value, label in notice_lists.NOTICE_STATUSES.items()]
    options["sap"] = [(column.key, _(column.label)) for column in notice_lists.COLUMNS]
    view = ListView(
        page=replace_rows(page, notice_lists.load_rows(session, page.rows, reference)),
        links=Links(
            endpoint=endpoint,
            filters=dict(reader.kept),
            sort=sort,
            default_sort=notice_lists.DEFAULT_SORT,
            columns=notice_lists.COLUMNS,
        ),
        filters=filters,
        kept=reader.kept,
        errors=[translate_error(error) for error in reader.errors],
        reference=reference,
        audience=None,
        options=options,
        columns=notice_lists.COLUMNS,
    )
    return render_template(template, view=view, **context), 400 if view.errors else 200
