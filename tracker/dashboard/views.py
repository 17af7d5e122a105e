"""Each role's home page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.accounts.models import Role
from tracker.assignments import service as assignments
from tracker.assignments.forms import UnitFilterForm
from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS
from tracker.fields import choices
from tracker.i18n import local_today
from tracker.inputs import parse_id
from tracker.notices import service as notices
from tracker.permissions import (
    can_decide_extensions,
    can_manage_notices,
    can_view_all_assignments,
    can_view_rollups,
    can_work_for_a_unit,
)
from tracker.request_db import db
from tracker.rollups import views as rollups
from tracker.view_guards import requires

bp = Blueprint("dashboard", __name__)

HOME_BY_ROLE = {
    Role.UNIT: "dashboard.unit_home",
    Role.HEAD: "dashboard.head_home",
    Role.SECRETARY: "dashboard.notices_home",
    Role.ADMIN: "admin.users",
}


@bp.route("/")
@login_required
def home() -> Response:
    return redirect(url_for(HOME_BY_ROLE[Role(current_user.role)]))


@bp.route("/don-vi")
@requires(can_work_for_a_unit)
def unit_home() -> str:
    session, today = db(), local_today()
    form = UnitFilterForm(request.args)
    notices, periods = assignments.unit_filter_choices(session, actor=current_user)
    form.notice.choices = choices(
        [("", _("Tất cả"))]
        + [(str(notice.id), notice.number or notice.title[:60]) for notice in notices]
    )
    form.period.choices = choices([("", _("Tất cả"))] + [(period, period) for period in periods])
    filters = assignments.UnitFilters()
    if form.validate():
        filters = assignments.UnitFilters(
            status=form.status.data or None,
            conclusion_id=parse_id(form.notice.data),
            period=form.period.data or None,
            overdue_only=bool(form.overdue.data),
        )
    rows = assignments.list_unit_assignments(
        session, actor=current_user, reference=today, filters=filters
    )
    return render_template(
        "dashboard/unit.html",
        rows=rows,
        today=today,
        form=form,
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.route("/tong-hop")
@requires(can_view_rollups)
def head_home() -> str:
    return rollups.render_dashboard()


@bp.route("/thong-bao")
@requires(can_view_all_assignments)
def notices_home() -> str:
    session = db()
    pending = (
        notices.count_pending_extensions(session, actor=current_user)
        if can_decide_extensions(current_user)
        else None
    )
    return render_template(
        "dashboard/notices.html",
        rows=notices.list_notices(session, actor=current_user),
        pending_extensions=pending,
        can_import=can_manage_notices(current_user),
    )
