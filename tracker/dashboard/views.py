"""Each role's home page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.accounts.models import Role
from tracker.assignments import service as assignments
from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS
from tracker.i18n import local_today
from tracker.notices import service as notices
from tracker.permissions import (
    can_decide_extensions,
    can_view_all_assignments,
    can_view_rollups,
    can_work_for_a_unit,
)
from tracker.request_db import db
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
    today = local_today()
    rows = assignments.list_unit_assignments(db(), actor=current_user, reference=today)
    return render_template(
        "dashboard/unit.html",
        rows=rows,
        today=today,
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.route("/tong-hop")
@requires(can_view_rollups)
def head_home() -> str:
    today = local_today()
    counts = assignments.count_by_category(db(), actor=current_user, reference=today)
    return render_template(
        "dashboard/head.html",
        counts=counts,
        total=sum(counts.values()),
        today=today,
        category_labels=CATEGORY_LABELS,
    )


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
    )
