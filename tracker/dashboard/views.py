"""Each role's home page."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.accounts.models import Role
from tracker.i18n import local_today
from tracker.lists import assignments as assignment_lists
from tracker.lists import pages as list_pages
from tracker.notices import queries as notices
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
def unit_home() -> Response | tuple[str, int]:
    """The unit's work: open work first, with the counts that need attention at the top."""
    session, today = db(), local_today()
    return list_pages.assignment_page(
        session,
        actor=current_user,
        audience=assignment_lists.Audience.UNIT,
        endpoint="dashboard.unit_home",
        template="dashboard/unit.html",
        reference=today,
        default_status=assignment_lists.OPEN,
        today=today,
    )


@bp.route("/tong-hop")
@requires(can_view_rollups)
def head_home() -> str:
    return rollups.render_dashboard()


@bp.route("/thong-bao")
@requires(can_view_all_assignments)
def notices_home() -> Response | tuple[str, int]:
    session = db()
    pending = (
        notices.count_pending_extensions(session, actor=current_user)
        if can_decide_extensions(current_user)
        else None
    )
    return list_pages.notice_page(
        session,
        actor=current_user,
        endpoint="dashboard.notices_home",
        template="dashboard/notices.html",
        reference=local_today(),
        pending_extensions=pending,
        can_import=can_manage_notices(current_user),
    )
