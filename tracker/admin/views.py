"""Administration: accounts, the unit directory, the audit trail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlmodel import col, select
from werkzeug.wrappers import Response

from tracker.accounts import service as accounts
from tracker.accounts.models import User
from tracker.admin.forms import AuditFilterForm, DirectoryForm, EditUserForm, UserForm
from tracker.audit import service as audit
from tracker.audit import wording
from tracker.errors import N_, NotFound
from tracker.fields import choices
from tracker.i18n import local_zone, translate_error
from tracker.inputs import page_arg, parse_id
from tracker.permissions import can_administer
from tracker.request_db import attempt, change, db
from tracker.tables import saved_id
from tracker.units import editing
from tracker.units import queries as unit_queries
from tracker.units import service as units
from tracker.units.directory import DirectoryError
from tracker.units.models import Unit
from tracker.units.spreadsheet import read_directory_upload
from tracker.view_guards import requires
from tracker.vn_dates import vn_date

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")


def _unit_choices() -> list:
    rows = db().exec(select(Unit).where(col(Unit.is_active).is_(True)).order_by(Unit.name)).all()
    return choices([("", "—")] + [(str(unit.id), unit.name) for unit in rows])


@bp.route("/tai-khoan")
@requires(can_administer)
def users() -> str:
    return render_template("admin/users.html", rows=accounts.list_users(db(), actor=current_user))


@bp.route("/tai-khoan/moi", methods=["GET", "POST"])
@requires(can_administer)
def new_user() -> Response | tuple[str, int]:
    form = UserForm()
    form.unit.choices = _unit_choices()
    if form.validate_on_submit():
        unit_id = parse_id(form.unit.data)
        unit = db().get(Unit, unit_id) if unit_id is not None else None
        with attempt() as outcome:
            user = accounts.create_user(
                db(),
                actor=current_user,
                username=form.username.data or "",
                full_name=form.full_name.data or "",
                role=form.role.data,
                password=form.password.data or "",
                unit_code=unit.code if unit else None,
                email=form.email.data,
                phone=form.phone.data,
            )
        if (error := outcome.error) is not None:
            return render_template(
                "admin/user_form.html", form=form, error=translate_error(error)
            ), 400
        flash(_("Đã tạo tài khoản %(username)s.", username=user.username), "success")
        return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form), status


@bp.route("/tai-khoan/<int:user_id>", methods=["GET", "POST"])
@requires(can_administer)
def edit_user(user_id: int) -> Response | tuple[str, int]:
    user = db().get(User, user_id)
    if user is None:
        raise NotFound(N_("Không tìm thấy tài khoản này."))
    form = EditUserForm(
        obj=None if request.method == "POST" else user, unit=str(user.unit_id or "")
    )
    form.unit.choices = _unit_choices()
    if form.validate_on_submit():
        with attempt() as outcome:
            accounts.update_user(
                db(),
                actor=current_user,
                user_id=saved_id(user),
                full_name=form.full_name.data or "",
                role=form.role.data,
                is_active=bool(form.is_active.data),
                unit_id=parse_id(form.unit.data),
                new_password=form.new_password.data or None,
                is_unit_head=bool(form.is_unit_head.data),
            )
        if (error := outcome.error) is not None:
            return render_template(
                "admin/user_form.html", form=form, user=user, error=translate_error(error)
            ), 400
        if user.id == current_user.id:
            login_user(user)  # a new password ends the admin's other sessions, not this one
        flash(_("Đã lưu tài khoản %(username)s.", username=user.username), "success")
        return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.route("/don-vi", methods=["GET", "POST"])
@requires(can_administer)
def units_page() -> Response | tuple[str, int]:
    form = DirectoryForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        raw = upload.read() if upload and upload.filename else b""
        try:
            directory = read_directory_upload(raw, source=upload.filename if upload else "")
            with change():
                summary = units.load_directory(db(), actor=current_user, directory=directory)
        except DirectoryError as problem:
            error = _(
                "Không nạp được danh mục: %(problem)s. Sửa tệp rồi tải lên lại; "
                "chưa có gì thay đổi.",
                problem=problem.translated(),
            )
        else:
            flash(
                _(
                    "Đã nạp danh mục: %(created)s đơn vị mới, %(updated)s cập nhật, "
                    "%(unchanged)s không đổi.",
                    created=len(summary.created),
                    updated=len(summary.updated),
                    unchanged=summary.unchanged,
                ),
                "success",
            )
            return redirect(url_for(".units_page"))
    rows = unit_queries.list_units(db(), actor=current_user)
    groups = editing.list_groups(db(), actor=current_user)
    status = 400 if error or request.method == "POST" else 200
    return render_template(
        "admin/units.html", rows=rows, groups=groups, form=form, error=error
    ), status


SYSTEM = "he-thong"  # the person filter's value for changes no person made


def _audit_filters() -> AuditFilterForm:
    filters = AuditFilterForm(request.args)
    people = db().exec(select(User).order_by(col(User.full_name), col(User.id))).all()
    filters.person.choices = choices(
        [("", _("Tất cả")), (SYSTEM, _("Hệ thống"))]
        + [(str(user.id), f"{user.full_name} ({user.username})") for user in people]
    )
    filters.action.choices = choices(
        [("", _("Tất cả")), *wording.action_choices(audit.recorded_actions(db()))]
    )
    return filters


def _event_filter(filters: AuditFilterForm) -> audit.EventFilter:
    """The filter form as the trail's query takes it (validated first)."""
    action = filters.action.data or None
    other = action == wording.OTHER_ACTIONS
    return audit.EventFilter(
        actor_id=parse_id(filters.person.data),
        by_system=filters.person.data == SYSTEM,
        action=None if other else action,
        not_actions=frozenset(wording.ACTION_NAMES) if other else frozenset(),
        since=filters.since.parsed,
        until=filters.until.parsed,
        zone=local_zone(),
    )


@bp.route("/nhat-ky")
@requires(can_administer)
def audit_log() -> tuple[str, int]:
    filters = _audit_filters()
    page = request.args.get("trang", 1, type=page_arg)
    rows: list = []
    has_more, error = False, None
    if filters.validate():
        since, until = filters.since.parsed, filters.until.parsed
        for typed in (filters.since, filters.until):  # "31012027" shown back as 31/01/2027
            typed.data = vn_date(typed.parsed) if typed.parsed else typed.data
        if since and until and since > until:
            error = _(
                "Ngày bắt đầu (%(since)s) sau ngày kết thúc (%(until)s). Sửa lại khoảng ngày.",
                since=filters.since.data,
                until=filters.until.data,
            )
        else:
            rows, has_more = audit.list_events(
                db(), actor=current_user, page=page, filters=_event_filter(filters)
            )
    kept = {name: value for name, value in request.args.items() if name != "trang" and value}
    return render_template(
        "admin/audit.html",
        rows=wording.describe(db(), rows, reader=current_user),
        filters=filters,
        kept=kept,
        page=page,
        has_more=has_more,
        error=error,
    ), (400 if error or filters.errors else 200)


# The unit and group forms register their routes on `bp`.
from tracker.admin import directory_views  # noqa: E402, F401
