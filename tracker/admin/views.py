"""Administration: accounts, the unit directory, the audit trail."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.accounts import service as accounts
from tracker.audit import service as audit
from tracker.permissions import can_administer
from tracker.request_db import db
from tracker.units import service as units
from tracker.view_guards import requires

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")


@bp.route("/tai-khoan")
@requires(can_administer)
def users() -> str:
    return render_template("admin/users.html", rows=accounts.list_users(db(), actor=current_user))


@bp.route("/don-vi")
@requires(can_administer)
def units_page() -> str:
    return render_template("admin/units.html", rows=units.list_units(db(), actor=current_user))


@bp.route("/nhat-ky")
@requires(can_administer)
def audit_log() -> str:
    page = request.args.get("trang", 1, type=int) or 1
    rows, has_more = audit.list_events(db(), actor=current_user, page=page)
    return render_template("admin/audit.html", rows=rows, page=page, has_more=has_more)
