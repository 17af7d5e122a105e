"""Each role's home page: the unit's work and the head's dashboard here; the secretary's home is
the notices list (tracker/notices/views.py); the administrator's the accounts page."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.accounts.models import Role
from tracker.dashboard import head
from tracker.i18n import local_today
from tracker.lists import assignments as assignment_lists
from tracker.lists import pages as list_pages
from tracker.permissions import can_view_rollups, can_work_for_a_unit
from tracker.request_db import db
from tracker.view_guards import requires

bp = Blueprint("dashboard", __name__)

HOME_BY_ROLE = {
    Role.UNIT: "dashboard.unit_home",
    Role.HEAD: "dashboard.head_home",
    Role.SECRETARY: "notices.index",
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
    """The head's dashboard (tracker/dashboard/head.py)."""
    return head.render_head_dashboard()
