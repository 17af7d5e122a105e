"""The search page (/tim-kiem): the header's box sends its words here."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.assignments.access import actor_scope
from tracker.permissions import (
    can_administer,
    can_manage_notices,
    can_view_all_assignments,
    can_view_rollups,
)
from tracker.request_db import db
from tracker.search.queries import Hit, Kind, search
from tracker.search.snippets import snippet

bp = Blueprint("search", __name__)

MAX_QUERY_CHARS = 200
KIND_LABELS = {
    Kind.NOTICE: _l("Thông báo"),
    Kind.TASK: _l("Nhiệm vụ"),
    Kind.REPORT: _l("Báo cáo tiến độ"),
    Kind.COMMENT: _l("Ý kiến"),
    Kind.UNIT: _l("Đơn vị"),
}


@bp.route("/tim-kiem")
@login_required
def results() -> str:
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    hits, terms = search(db(), actor=current_user, query=query) if query else ([], [])
    own_units = actor_scope(db(), current_user) if hits else set()
    return render_template(
        "search/results.html",
        query=query,
        terms=terms,
        results=[(hit, link_for(hit, own_units), snippet(hit.text, terms)) for hit in hits],
        kind_labels=KIND_LABELS,
    )


def link_for(hit: Hit, own_units: set[int]) -> str | None:
    """Where a hit leads for the signed-in person (None: nothing there they may open)."""
    sees_all = can_view_all_assignments(current_user)
    if hit.kind is Kind.NOTICE:
        if hit.is_draft and can_manage_notices(current_user):
            return url_for("notices.edit", conclusion_id=hit.conclusion_id)
        if sees_all:
            return url_for("notices.view", conclusion_id=hit.conclusion_id)
        return url_for("dashboard.unit_home", notice=hit.conclusion_id)
    if hit.kind is Kind.TASK:
        if hit.is_draft and can_manage_notices(current_user):
            return url_for("notices.edit", conclusion_id=hit.conclusion_id)
        if sees_all:
            return url_for(
                "notices.view", conclusion_id=hit.conclusion_id, _anchor=f"nhiem-vu-{hit.entity_id}"
            )
        if hit.assignment_id:
            return url_for("assignments.detail", assignment_id=hit.assignment_id)
        return None
    if hit.kind is Kind.REPORT:
        return url_for(
            "assignments.detail",
            assignment_id=hit.assignment_id,
            _anchor=f"bao-cao-{hit.entity_id}",
        )
    if hit.kind is Kind.COMMENT:
        return url_for(
            "assignments.detail", assignment_id=hit.assignment_id, _anchor=f"y-kien-{hit.entity_id}"
        )
    if can_view_rollups(current_user):
        return url_for("rollups.assignment_list", dv=hit.unit_id)
    if can_administer(current_user):
        return url_for("admin.units_page")
    if hit.unit_id in own_units:
        return url_for("dashboard.unit_home")
    return None
