"""The rollups' own pages: the drill-down lists behind the head's dashboard figures and the
charts' stylesheet; the filters the dashboard shares. The dashboard itself (/tong-hop) is
served by tracker/dashboard/head.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response as WerkzeugResponse

from tracker.assignments.status import CATEGORY_LABELS, Category
from tracker.errors import N_, InvalidInput
from tracker.fields import parse_vn_date
from tracker.i18n import local_today
from tracker.inputs import parse_id
from tracker.lists import assignments as assignment_lists
from tracker.lists import pages as list_pages
from tracker.notices.models import Conclusion, NoticeStatus
from tracker.permissions import can_view_rollups
from tracker.request_db import db
from tracker.rollups import charts, queries, report
from tracker.rollups.forms import FilterForm
from tracker.rollups.periods import Period, period_choices
from tracker.view_guards import requires

bp = Blueprint("rollups", __name__)
PER_PAGE = 50


@bp.app_template_filter("rate")
def format_rate(value: float | None) -> str:
    """A rate as a whole percentage; a dash when there is nothing to take it of."""
    return "—" if value is None else f"{round(value * 100)}%"


@bp.app_template_filter("period_label")
def period_label(value: Period | str) -> str:
    """A period's label ("Quý II/2021") in the reader's language."""
    period = Period.parse(value) if isinstance(value, str) else value
    template, params = period.label()
    return _(template).format(**params)


def category_labels() -> dict[Category, str]:
    """The category names in the reader's language."""
    return {category: _(label) for category, label in CATEGORY_LABELS.items()}


def read_filters() -> tuple[FilterForm, queries.Scope, dict[str, Any]]:
    """The filter form, the scope it selects, and its query-string values for links."""
    session = db()
    today = local_today()
    form = FilterForm(request.args)
    form.ky.choices = [("", _("Tất cả các kỳ"))] + [
        (period.code, period_label(period))
        for period in period_choices(
            *queries.years_with_work(session, actor=current_user, today=today)
        )
    ]
    notices = session.exec(
        select(Conclusion)
        .where(Conclusion.status == NoticeStatus.PUBLISHED)
        .order_by(col(Conclusion.id).desc())
        .limit(200)
    ).all()
    form.tb.choices = [("", _("Tất cả thông báo"))] + [
        (str(notice.id), notice.number or notice.title[:60]) for notice in notices
    ]
    form.validate()
    if form.ngay.parsed:
        form.ngay.data = form.ngay.parsed.strftime("%d/%m/%Y")
    reference = form.ngay.parsed or today
    if reference > today:
        # Refused rather than projected: a later day's figures are not known yet.
        raise InvalidInput(
            N_(
                "Chưa có số liệu của ngày {day}: số liệu tính theo những gì đã ghi nhận đến hết "
                "ngày được chọn, nên chỉ chọn được hôm nay ({today}) hoặc một ngày đã qua."
            ),
            day=reference.strftime("%d/%m/%Y"),
            today=today.strftime("%d/%m/%Y"),
        )
    period = Period.parse(form.ky.data) if form.ky.data else None
    notice_id = int_arg("tb")
    scope = queries.Scope(reference=reference, period=period, notice_id=notice_id)
    args = {
        key: value
        for key, value in (
            ("ky", form.ky.data or ""),
            ("tb", str(notice_id or "")),
            ("ngay", form.ngay.parsed.isoformat() if form.ngay.parsed else ""),
        )
        if value
    }
    return form, scope, args


def int_arg(name: str) -> int | None:
    """A whole-number query parameter, or None when absent; refused when not a number."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise InvalidInput(N_("Tham số {name} phải là số."), name=name)
    return value


@bp.route("/tong-hop/danh-sach")
@requires(can_view_rollups)
def assignment_list() -> WerkzeugResponse | tuple[str, int]:
    """The assignments one figure counts, sortable, filterable and exportable."""
    session, today = db(), local_today()
    reference, problems = today, []
    asked = parse_vn_date(request.args.get("ngay", "")) if request.args.get("ngay") else None
    if request.args.get("ngay") and asked is None:
        problems.append(InvalidInput(N_("Ngày tính số liệu không hợp lệ; đã tính đến hôm nay.")))
    elif asked is not None and asked > today:
        problems.append(
            InvalidInput(
                N_(
                    "Chưa có số liệu của ngày {day}: số liệu tính theo những gì đã ghi nhận đến "
                    "hết ngày được chọn, nên chỉ chọn được hôm nay ({today}) hoặc một ngày đã qua."
                ),
                day=asked.strftime("%d/%m/%Y"),
                today=today.strftime("%d/%m/%Y"),
            )
        )
    elif asked is not None:
        reference = asked
    fixed = {"ngay": reference.isoformat()} if reference != today else {}
    back: dict[str, Any] = {k: request.args[k] for k in ("ky", "tb") if request.args.get(k)}
    unit_id = parse_id(request.args.get("dv", ""))
    return list_pages.assignment_page(
        session,
        actor=current_user,
        audience=assignment_lists.Audience.ROLLUP,
        endpoint=".assignment_list",
        template="rollups/assignments.html",
        reference=reference,
        default_status=assignment_lists.EVERY,
        fixed=fixed,
        extra_errors=problems,
        unit=report.unit_or_none(session, unit_id),
        labels=category_labels(),
        back_url=url_for("dashboard.head_home", **back | fixed),
    )


@bp.route("/tong-hop/bieu-do.css")
def chart_css() -> Response:
    """pygal's stylesheet for the charts (public: it holds no data)."""
    response = Response(charts.stylesheet(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
