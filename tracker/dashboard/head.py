"""The head's dashboard (/tong-hop): the rollup figures for a scope, unit by unit, with charts.
The figures come from tracker/rollups (queries, report, charts); its lists are the rollups'
own pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session

from tracker.assignments.status import Category
from tracker.permissions import can_manage_reviews
from tracker.request_db import db
from tracker.rollups import charts, queries, report
from tracker.rollups.periods import Period, quarters_up_to
from tracker.rollups.queries import Scope
from tracker.rollups.views import category_labels, int_arg, period_label, read_filters

TREND_QUARTERS = 6
CHART_UNITS = 15


def render_head_dashboard() -> str:
    """The head's dashboard: figures for the chosen scope, drill-down by unit, the trend."""
    session = db()
    form, scope, args = read_filters()
    links = _Links(args)
    labels = category_labels()
    level = report.unit_level(
        session,
        parent_id=int_arg("dv"),
        subtree_figures=lambda ids: queries.by_unit(
            session, actor=current_user, scope=scope, unit_ids=ids
        ),
        own_figures=lambda unit_id: queries.totals(
            session, actor=current_user, scope=scope, only_unit_id=unit_id
        ),
    )
    return render_template(
        "dashboard/head.html",
        form=form,
        scope=scope,
        totals=queries.totals(session, actor=current_user, scope=scope),
        level=level,
        labels=labels,
        list_link=links.to_list,
        drill_link=links.drill,
        notices=queries.by_notice(session, actor=current_user, scope=scope, limit=10)
        if scope.notice_id is None
        else [],
        groups=queries.by_group(session, actor=current_user, scope=scope)
        if scope.notice_id is not None
        else [],
        can_manage_reviews=can_manage_reviews(current_user),
        categories=Category,
        **_charts(session, scope, level, links, labels),
    )


class _Links:
    """Where the dashboard's figures lead, keeping its filters (date, period, notice)."""

    def __init__(self, args: dict[str, Any]) -> None:
        self.args = args

    def to_list(
        self,
        unit_id: int | None = None,
        category: Category | None = None,
        own: bool = False,
        period: Period | None = None,
    ) -> str:
        """The drill-down list of the assignments one figure counts."""
        params = {
            **self.args,
            "dv": unit_id,
            "loai": category.value if category else None,
            "rieng": "1" if own else None,
        }
        if period is not None:
            params["ky"] = period.code
        return url_for("rollups.assignment_list", **{k: v for k, v in params.items() if v})

    def drill(self, unit_id: int | None) -> str:
        """The same dashboard one level down the unit tree (or back at the top)."""
        unit: dict[str, Any] = {"dv": unit_id} if unit_id else {}
        return url_for("dashboard.head_home", **self.args, **unit)


def _charts(
    session: Session, scope: Scope, level: report.UnitLevel, links: _Links, labels: Any
) -> dict[str, Any]:
    """The chart by unit (the first units of the level) and the trend by quarter."""
    last = scope.period or Period.quarter_of(scope.reference)
    trend = queries.by_period(
        session, actor=current_user, scope=scope, periods=quarters_up_to(last, TREND_QUARTERS)
    )
    chart_rows = [
        (line.unit.name, line.figures, _unit_link(links.to_list, line))
        for line in level.lines[:CHART_UNITS]
    ]
    return {
        "unit_chart": charts.status_by_unit(
            chart_rows, title=_("Tình hình thực hiện theo đơn vị"), labels=labels
        )
        if chart_rows
        else None,
        "trend_chart": charts.trend(
            trend,
            title=_("Xu hướng theo quý (theo hạn hoàn thành)"),
            labels=labels,
            period_label=period_label,
            link=lambda period, category: links.to_list(category=category, period=period),
        ),
    }


def _unit_link(list_link: Callable[..., str], line: report.UnitLine) -> Callable[[Category], str]:
    return lambda category: list_link(line.unit.id, category, line.is_own)
