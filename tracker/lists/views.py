"""The secretary's (and the head's) list of every assignment of every notice."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.i18n import local_today
from tracker.lists import assignments as assignment_lists
from tracker.lists import pages as list_pages
from tracker.permissions import can_view_all_assignments
from tracker.request_db import db
from tracker.view_guards import requires

bp = Blueprint("lists", __name__)


@bp.route("/nhiem-vu")
@requires(can_view_all_assignments)
def all_assignments() -> Response | tuple[str, int]:
    """Every published assignment, today's state; sortable, filterable, exportable."""
    return list_pages.assignment_page(
        db(),
        actor=current_user,
        audience=assignment_lists.Audience.ALL,
        endpoint="lists.all_assignments",
        template="lists/all_assignments.html",
        reference=local_today(),
        default_status=assignment_lists.EVERY,
    )
