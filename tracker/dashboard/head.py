"""The head's dashboard (/tong-hop): the rollup figures for a scope, unit by unit, with charts.
The figures come from tracker/rollups (queries, report, charts); its lists are the rollups'
own pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.assignments.status import Category
from tracker.permissions import can_manage_reviews
from tracker.request_db import db
from tracker.rollups import charts, queries, report
from tracker.rollups.periods import Period, quarters_up_to
from tracker.rollups.views import category_labels, int_arg, period_label, read_filters

TREND_QUARTERS = 6
CHART_UNITS = 15


def render_head_dashboard() -> str:
    """The head's dashboard: figures for the chosen scope, drill-down by unit, the trend."""
    session = db()
    form, scope, args = read_filters()
    parent_id = int_arg("dv")
    labels = category_labels()

    def list_link(
        unit_id: int | None = None,
        category: Category | None = None,
        own: bool = False,
        period: Period | None = None,
    ) -> str:
        params = {
            **args,
            "dv": unit_id,
            "loai": category.value if category else None,
            "rieng": "1" if own else None,
        }
        if period is not None:
            params["ky"] = period.code
        return url_for("rollups.assignment_list", **{k: v for k, v in params.items() if v})

    def drill_link(unit_id: int | None) -> str:
        unit: dict[str, Any] = {"dv": unit_id} if unit_id else {}
        return url_for("dashboard.head_home", **args, **unit)

    totals = queries.totals(session, actor=current_user, scope=scope)
    level = report.unit_level(
        session,
        parent_id=parent_id,
        subtree_figures=lambda ids: queries.by_unit(
            session, actor=current_user, scope=scope, unit_ids=ids
        ),
        own_figures=lambda unit_id: queries.totals(
            session, actor=current_user, scope=scope, only_unit_id=unit_id
        ),
    )
    last = scope.period or Period.quarter_of(scope.reference)
    trend = queries.by_period(
        session, actor=current_user, scope=scope, periods=quarters_up_to(last, TREND_QUARTERS)
    )
    chart_rows = [
        (line.unit.name, line.figures, _unit_link(list_link, line))
        for line in level.lines[:CHART_UNITS]
    ]
    return render_template(
        "dashboard/head.html",
        form=form,
        scope=scope,
        totals=totals,
        level=level,
        labels=labels,
        list_link=list_link,
        drill_link=drill_link,
        notices=queries.by_notice(session, actor=current_user, scope=scope, limit=10)
        if scope.notice_id is None
        else [],
        groups=queries.by_group(session, actor=current_user, scope=scope)
        if scope.notice_id is not None
        else [],
        unit_chart=charts.status_by_unit(
            chart_rows, title=_("Tình hình thực hiện theo đơn vị"), labels=labels
        )
        if chart_rows
        else None,
        trend_chart=charts.trend(
            trend,
            title=_("Xu hướng theo quý (theo hạn hoàn thành)"),
            labels=labels,
            period_label=period_label,
            link=lambda period, category: list_link(category=category, period=period),
        ),
        can_manage_reviews=can_manage_reviews(current_user),
        categories=Category,
    )


def _unit_link(list_link: Callable[..., str], line: report.UnitLine) -> Callable[[Category], str]:
    return lambda category: list_link(line.unit.id, category, line.is_own)
