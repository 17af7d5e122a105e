"""One unit or one group created or edited by the admin (the same rules as a directory file)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response

from tracker.admin.forms import DeleteGroupForm, GroupForm, UnitForm
from tracker.admin.views import bp
from tracker.errors import N_, NotFound
from tracker.fields import choices
from tracker.i18n import translate_error
from tracker.inputs import parse_id
from tracker.notices.picker import PickerEntry, PickerMarkup, fold
from tracker.permissions import can_administer
from tracker.request_db import attempt, db
from tracker.units import editing
from tracker.units.models import Unit, UnitGroup
from tracker.view_guards import requires


def _label(unit: Unit) -> str:
    label = f"{unit.name} ({unit.code})"
    return label if unit.is_active else _("%(label)s — ngừng dùng", label=label)


def _parent_choices(unit: Unit | None) -> list[Any]:
    rows = db().exec(select(Unit).order_by(col(Unit.name))).all()
    offered = [(str(row.id), _label(row)) for row in rows if unit is None or row.id != unit.id]
    return choices([("", _("— không có (đơn vị cấp cao nhất)")), *offered])


def _unit_form(unit: Unit | None) -> UnitForm:
    initial: dict[str, Any] = {"is_active": True}
    if unit is not None:
        initial = {
            "code": unit.code,
            "name": unit.name,
            "parent": str(unit.parent_id or ""),
            "aliases": "\n".join(unit.aliases),
            "is_active": unit.is_active,
            "stamp": editing.stamp_of(unit),
        }
    form = UnitForm(data=initial)
    form.parent.choices = _parent_choices(unit)
    return form


@bp.route("/don-vi/moi", methods=["GET", "POST"])
@requires(can_administer)
def new_unit() -> Response | tuple[str, int]:
    return _unit_page(None)


@bp.route("/don-vi/<int:unit_id>", methods=["GET", "POST"])
@requires(can_administer)
def edit_unit(unit_id: int) -> Response | tuple[str, int]:
    unit = db().get(Unit, unit_id)
    if unit is None:
        raise NotFound(N_("Không tìm thấy đơn vị này."))
    return _unit_page(unit)


def _unit_page(unit: Unit | None) -> Response | tuple[str, int]:
    form = _unit_form(unit)
    error = None
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        fields = editing.UnitFields(
            code=form.code.data or "",
            name=form.name.data or "",
            aliases=tuple((form.aliases.data or "").splitlines()),
            parent_id=parse_id(form.parent.data),
            is_active=bool(form.is_active.data),
        )
        with attempt() as outcome:
            saved = editing.save_unit(
                db(),
                actor=current_user,
                unit_id=unit.id if unit else None,
                fields=fields,
                stamp=form.stamp.data or None,
            )
        if outcome.error is None:
            flash(_("Đã lưu đơn vị %(name)s.", name=saved.name), "success")
            return redirect(url_for(".units_page", _anchor=f"don-vi-{saved.id}"))
        error, status = translate_error(outcome.error), outcome.error.status_code
    return render_template("admin/unit_form.html", form=form, unit=unit, error=error), status


def _member_picker(group: UnitGroup | None) -> PickerMarkup:
    """Units in use, and any member already out of use (kept unless the admin removes it)."""
    current = set(editing.group_member_ids(db(), group.id)) if group and group.id else set()
    rows = db().exec(select(Unit).order_by(col(Unit.name))).all()
    return PickerMarkup(
        [
            PickerEntry(
                str(unit.id),
                _label(unit) if not unit.is_active else unit.name,
                fold(" ".join([unit.name, unit.code, *unit.aliases])),
            )
            for unit in rows
            if unit.is_active or unit.id in current
        ]
    )


@bp.route("/nhom-don-vi/moi", methods=["GET", "POST"])
@requires(can_administer)
def new_group() -> Response | tuple[str, int]:
    return _group_page(None)


@bp.route("/nhom-don-vi/<int:group_id>", methods=["GET", "POST"])
@requires(can_administer)
def edit_group(group_id: int) -> Response | tuple[str, int]:
    group = db().get(UnitGroup, group_id)
    if group is None:
        raise NotFound(N_("Không tìm thấy nhóm đơn vị này."))
    return _group_page(group)


@bp.route("/nhom-don-vi/<int:group_id>/xoa", methods=["POST"])
@requires(can_administer)
def delete_group(group_id: int) -> Response | tuple[str, int]:
    group = db().get(UnitGroup, group_id)
    if group is None:
        raise NotFound(N_("Không tìm thấy nhóm đơn vị này."))
    form = DeleteGroupForm()
    if not form.validate_on_submit():
        error = next(iter(form.errors.values()), [_("Tải lại trang rồi thử lại.")])[0]
        return _group_page(group, delete_error=str(error))
    with attempt() as outcome:
        name = editing.delete_group(
            db(), actor=current_user, group_id=group_id, stamp=form.stamp.data or None
        )
    if outcome.error is not None:
        refusal = translate_error(outcome.error)
        return _group_page(group, delete_error=refusal, status=outcome.error.status_code)
    flash(_("Đã xóa nhóm %(name)s. Các đơn vị trong nhóm vẫn giữ nguyên.", name=name), "success")
    return redirect(url_for(".units_page", _anchor="nhom-don-vi"))


def _group_page(
    group: UnitGroup | None, *, delete_error: str | None = None, status: int | None = None
) -> Response | tuple[str, int]:
    initial: dict[str, Any] = {}
    if group is not None and group.id is not None:
        initial = {
            "code": group.code,
            "name": group.name,
            "aliases": "\n".join(group.aliases),
            "members": [str(unit_id) for unit_id in editing.group_member_ids(db(), group.id)],
            "stamp": editing.stamp_of(group),
        }
    # After a refused deletion the form shows the group as saved, not the deletion's fields.
    form = GroupForm(formdata=None, data=initial) if delete_error else GroupForm(data=initial)
    error = None
    status = status or (400 if request.method == "POST" else 200)
    if delete_error is None and form.validate_on_submit():
        member_ids = [parse_id(value) for value in form.members.data or []]
        fields = editing.GroupFields(
            code=form.code.data or "",
            name=form.name.data or "",
            aliases=tuple((form.aliases.data or "").splitlines()),
            member_ids=tuple(unit_id for unit_id in member_ids if unit_id is not None),
        )
        with attempt() as outcome:
            saved = editing.save_group(
                db(),
                actor=current_user,
                group_id=group.id if group else None,
                fields=fields,
                stamp=form.stamp.data or None,
            )
        if outcome.error is None:
            flash(_("Đã lưu nhóm %(name)s.", name=saved.name), "success")
            return redirect(url_for(".units_page", _anchor=f"nhom-{saved.id}"))
        error, status = translate_error(outcome.error), outcome.error.status_code
    deletion = None
    if group is not None:
        # Always the group's current version: after a refusal the next try must be able to work.
        deletion = DeleteGroupForm(formdata=None, data={"stamp": editing.stamp_of(group)})
    return render_template(
        "admin/group_form.html",
        form=form,
        group=group,
        members=_member_picker(group),
        error=error,
        deletion=deletion,
        delete_error=delete_error,
    ), status
