"""Notices: import a file, correct the parsed draft, publish, view, correct a published task."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS
from tracker.fields import choices
from tracker.i18n import local_today, translate_error
from tracker.inputs import parse_id
from tracker.notices import corrections, drafts, service
from tracker.notices.doc_types import doc_type_label
from tracker.notices.forms import CorrectTaskForm, DraftForm, ImportForm
from tracker.notices.models import NoticeStatus, Task, TaskUnit
from tracker.permissions import can_manage_notices, can_view_all_assignments
from tracker.request_db import attempt, db
from tracker.units.service import picker_options
from tracker.view_guards import requires

bp = Blueprint("notices", __name__, url_prefix="/thong-bao")


def _unit_choices() -> list:
    groups, units, _members = picker_options(db())
    return choices(
        [(f"g:{group.id}", _("Nhóm: %(name)s", name=group.name)) for group in groups]
        + [(f"u:{unit.id}", unit.name) for unit in units]
    )


@bp.route("/nhap", methods=["GET", "POST"])
@requires(can_manage_notices)
def import_page() -> Response | tuple[str, int] | str:
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("notices/import.html", form=form)
    upload = form.file.data
    data = upload.read() if upload and upload.filename else None
    with attempt() as outcome:
        notice = drafts.import_notice(
            db(),
            actor=current_user,
            filename=upload.filename if data is not None else "",
            data=data,
            text=None if data is not None else form.text.data,
            source_dir=current_app.extensions["tracker.settings"].instance_path / "notices",
        )
    if (error := outcome.error) is not None:
        return render_template(
            "notices/import.html", form=form, error=translate_error(error)
        ), error.status_code
    flash(_("Đã đọc thông báo: kiểm tra, sửa từng nhiệm vụ rồi bấm Ban hành."), "success")
    return redirect(url_for(".edit", conclusion_id=notice.id))


def _fill_rows(form: DraftForm, conclusion_id: int) -> dict[str, list[str]]:
    """Put the stored draft into the form; return each row's warnings by task id."""
    session = db()
    tasks = session.exec(
        select(Task).where(Task.conclusion_id == conclusion_id).order_by(Task.position, Task.id)
    ).all()
    links = session.exec(
        select(TaskUnit).where(TaskUnit.task_id.in_([task.id for task in tasks]))
    ).all()
    warnings = {}
    for task in tasks:
        form.rows.append_entry(
            {
                "task_id": str(task.id),
                "code": task.code,
                "text": task.text,
                "due": task.due,
                "recurrence": task.recurrence or "",
                "lead": [
                    f"u:{link.unit_id}"
                    for link in links
                    if link.task_id == task.id and link.role == "lead"
                ],
                "support": [
                    f"u:{link.unit_id}"
                    for link in links
                    if link.task_id == task.id and link.role == "support"
                ],
            }
        )
        warnings[str(task.id)] = list(task.warnings) + (
            [_("Cần kiểm tra: chưa chắc chắn về đơn vị hoặc hạn.")] if task.needs_review else []
        )
    return warnings


def _render_editor(
    form: DraftForm,
    notice,
    warnings,
    status: int = 200,  # type: ignore[no-untyped-def]
    error: str | None = None,
) -> tuple[str, int]:
    unit_choices = _unit_choices()
    for row in form.rows:
        row.form.lead.choices = unit_choices
        row.form.support.choices = unit_choices
    return render_template(
        "notices/edit.html",
        form=form,
        notice=notice,
        warnings=warnings,
        error=error,
        doc_type_label=doc_type_label(notice.title),
    ), status


@bp.route("/<int:conclusion_id>/soan", methods=["GET", "POST"])
@requires(can_manage_notices)
def edit(conclusion_id: int) -> Response | tuple[str, int]:
    notice = drafts.load_notice(db(), conclusion_id)
    if notice.status != NoticeStatus.DRAFT:
        return redirect(url_for(".view", conclusion_id=conclusion_id))
    if request.method == "GET":
        form = DraftForm(
            version=notice.version,
            number=notice.number,
            title=notice.title,
            issued_on=notice.issued_on,
            period=notice.period,
            default_due=notice.default_due,
        )
        warnings = _fill_rows(form, conclusion_id)
        if request.args.get("them"):
            form.rows.append_entry()
        return _render_editor(form, notice, warnings)
    form = DraftForm()
    stored_warnings = {
        str(task.id): list(task.warnings)
        for task in db().exec(select(Task).where(Task.conclusion_id == conclusion_id)).all()
    }
    if not form.validate_on_submit():
        return _render_editor(
            form, notice, stored_warnings, 400, _("Chưa lưu được: kiểm tra các ô báo đỏ.")
        )
    rows = [
        drafts.DraftRow(
            task_id=parse_id(row.task_id.data),
            code=row.code.data or "",
            text=row.text.data or "",
            lead=row.lead.data or [],
            support=row.support.data or [],
            due=row.due.parsed,
            recurrence=row.recurrence.data or None,
        )
        for row in form.rows
        if not row.remove.data and ((row.code.data or "").strip() or (row.text.data or "").strip())
    ]
    header = drafts.DraftHeader(
        number=form.number.data,
        title=form.title.data or "",
        issued_on=form.issued_on.parsed,
        period=form.period.data,
        default_due=form.default_due.parsed,
    )
    with attempt() as outcome:
        saved = drafts.save_draft(
            db(),
            actor=current_user,
            conclusion_id=conclusion_id,
            expected_version=int(form.version.data),
            header=header,
            rows=rows,
        )
        if form.publish.data:
            created = drafts.publish(
                db(),
                actor=current_user,
                conclusion_id=conclusion_id,
                expected_version=saved.version,
            )
            flash(
                _("Đã ban hành: %(n)s nhiệm vụ được giao cho các đơn vị.", n=len(created)),
                "success",
            )
            return redirect(url_for(".view", conclusion_id=conclusion_id))
    if (error := outcome.error) is not None:
        return _render_editor(
            form, notice, stored_warnings, error.status_code, translate_error(error)
        )
    if form.add_row.data:
        flash(_("Đã lưu; điền nhiệm vụ mới ở dòng cuối."), "info")
        return redirect(url_for(".edit", conclusion_id=conclusion_id, them=1) + "#cuoi")
    flash(_("Đã lưu bản nháp. Bạn có thể quay lại sửa tiếp bất cứ lúc nào."), "success")
    return redirect(url_for(".edit", conclusion_id=conclusion_id))


@bp.route("/<int:conclusion_id>")
@requires(can_view_all_assignments)
def view(conclusion_id: int) -> Response | str:
    notice, tasks = service.notice_overview(
        db(), actor=current_user, conclusion_id=conclusion_id, reference=local_today()
    )
    if notice.status == NoticeStatus.DRAFT and can_manage_notices(current_user):
        return redirect(url_for(".edit", conclusion_id=conclusion_id))
    return render_template(
        "notices/view.html",
        notice=notice,
        tasks=tasks,
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
        can_correct=can_manage_notices(current_user),
    )


@bp.route("/nhiem-vu/<int:task_id>/dieu-chinh", methods=["GET", "POST"])
@requires(can_manage_notices)
def correct(task_id: int) -> Response | tuple[str, int]:
    session = db()
    task, notice = corrections.load_published_task(session, actor=current_user, task_id=task_id)
    links = session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)).all()
    if request.method == "GET":
        form = CorrectTaskForm(
            stamp=task.updated_at.isoformat(),
            text=task.text,
            due=task.due,
            lead=[f"u:{link.unit_id}" for link in links if link.role == "lead"],
            support=[f"u:{link.unit_id}" for link in links if link.role == "support"],
        )
    else:
        form = CorrectTaskForm()
    form.lead.choices = form.support.choices = _unit_choices()
    if request.method == "POST" and form.validate_on_submit():
        with attempt() as outcome:
            corrections.correct_task(
                session,
                actor=current_user,
                task_id=task.id,
                expected_stamp=form.stamp.data,
                text=form.text.data or "",
                due=form.due.parsed,
                lead=form.lead.data or [],
                support=form.support.data or [],
            )
        if (error := outcome.error) is not None:
            return render_template(
                "notices/correct.html",
                form=form,
                task=task,
                notice=notice,
                error=translate_error(error),
            ), error.status_code
        flash(
            _("Đã điều chỉnh nhiệm vụ %(code)s; lịch sử thay đổi được lưu.", code=task.code),
            "success",
        )
        return redirect(url_for(".view", conclusion_id=notice.id))
    status = 400 if request.method == "POST" else 200
    return render_template("notices/correct.html", form=form, task=task, notice=notice), status
