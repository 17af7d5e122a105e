"""Notices: import a file, correct the parsed draft, publish, view, correct a published task."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import col, select
from werkzeug.wrappers import Response

from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS
from tracker.i18n import local_today, translate_error
from tracker.inputs import parse_id
from tracker.notices import corrections, desk, drafts, imports, service
from tracker.notices.doc_types import doc_type_label
from tracker.notices.forms import (
    RECURRENCE_CHOICES,
    CorrectTaskForm,
    DeleteDraftForm,
    DraftForm,
    ImportForm,
    MoveDueForm,
    PublishForm,
)
from tracker.notices.models import Conclusion, ImportStatus, NoticeStatus, Task, TaskUnit
from tracker.notices.picker import PickerMarkup, picker_entries
from tracker.notices.review import review_reasons
from tracker.permissions import can_manage_notices, can_view_all_assignments
from tracker.request_db import attempt, change, db, engine
from tracker.tables import saved_id
from tracker.view_guards import requires

bp = Blueprint("notices", __name__, url_prefix="/thong-bao")


@bp.route("/nhap", methods=["GET", "POST"])
@requires(can_manage_notices)
def import_page() -> Response | tuple[str, int] | str:
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("notices/import.html", form=form)
    upload = form.file.data
    data = upload.read() if upload and upload.filename else None
    text = None if data is not None else form.text.data
    # attempt() commits the job before its thread starts, so the thread and any worker see it.
    with attempt() as outcome:
        job = imports.queue_import(
            db(),
            actor=current_user,
            filename=upload.filename if data is not None else "",
            data=data,
            text=text,
        )
    if (error := outcome.error) is not None:
        return render_template(
            "notices/import.html", form=form, error=translate_error(error)
        ), error.status_code
    settings = current_app.extensions["tracker.settings"]
    imports.start(
        engine(),
        job.id or 0,
        data=data,
        text=text,
        source_dir=settings.instance_path / "notices",
        limits=settings.parse_limits,
    )
    return redirect(url_for(".import_progress", import_id=job.id), code=303)


@bp.route("/nhap/<int:import_id>")
@requires(can_manage_notices)
def import_progress(import_id: int) -> Response | str:
    job = imports.load_import(db(), actor=current_user, import_id=import_id)
    if job.status == ImportStatus.DONE and job.conclusion_id is not None:
        flash(_("Đã đọc thông báo: kiểm tra, sửa từng nhiệm vụ rồi bấm Ban hành."), "success")
        return redirect(url_for(".edit", conclusion_id=job.conclusion_id))
    refused = imports.refusal(job)
    if refused is not None:
        return render_template(
            "notices/import.html", form=ImportForm(), error=translate_error(refused)
        )
    return render_template("notices/progress.html", job=job)


REVIEW_FILTER = "can-kiem-tra"


def _draft_state(conclusion_id: int) -> tuple[list[Task], dict[int, list[TaskUnit]]]:
    session = db()
    tasks = list(
        session.exec(
            select(Task)
            .where(Task.conclusion_id == conclusion_id)
            .order_by(col(Task.position), col(Task.id))
        ).all()
    )
    links: dict[int, list[TaskUnit]] = {}
    for link in session.exec(
        select(TaskUnit).where(col(TaskUnit.task_id).in_([task.id for task in tasks]))
    ).all():
        links.setdefault(link.task_id, []).append(link)
    return tasks, links


def _reasons_by_task(conclusion_id: int) -> dict[str, list[str]]:
    """Each stored task's review flags, translated, by task id (as the form carries it)."""
    tasks, links = _draft_state(conclusion_id)
    return {
        str(task.id): [
            _(reason)
            for reason in review_reasons(
                task, has_lead=any(link.role == "lead" for link in links.get(saved_id(task), []))
            )
        ]
        for task in tasks
    }


def _fill_rows(form: DraftForm, conclusion_id: int) -> None:
    """Put the stored draft into the form."""
    tasks, links = _draft_state(conclusion_id)
    for task in tasks:
        own = links.get(saved_id(task), [])
        form.rows.append_entry(
            {
                "task_id": str(task.id),
                "code": task.code,
                "text": task.text,
                "due": task.due,
                "recurrence": task.recurrence or "",
                "lead": [f"u:{link.unit_id}" for link in own if link.role == "lead"],
                "support": [f"u:{link.unit_id}" for link in own if link.role == "support"],
            }
        )


def _row_problems(form: DraftForm) -> list[tuple[str, str, list[str]]]:
    """(anchor, task code, messages) for every row the save refused, in page order."""
    problems = []
    for index, row in enumerate(form.rows):
        messages = [
            f"{field.label.text}: {error}"
            for field in row.form
            for error in field.errors
            if isinstance(error, str)
        ]
        if messages:
            problems.append((f"nv-{index}", row.form.code.data or str(index + 1), messages))
    return problems


def _require_code_and_text(form: DraftForm) -> bool:
    """Mark a row that has a code but no text (or the other way round) at its own field."""
    complete = True
    for row in form.rows:
        code, text = (row.form.code.data or "").strip(), (row.form.text.data or "").strip()
        if row.form.remove.data or bool(code) == bool(text):
            continue
        complete = False
        empty = row.form.text if code else row.form.code
        empty.errors = [*empty.errors, _("Mỗi nhiệm vụ cần có mã (ví dụ 1.1) và nội dung.")]
    return complete


def _render_editor(
    form: DraftForm,
    notice: Conclusion,
    status: int = 200,
    error: str | None = None,
) -> tuple[str, int]:
    reasons = _reasons_by_task(saved_id(notice))
    flagged = sum(1 for row in form.rows if reasons.get(row.task_id.data or ""))
    return render_template(
        "notices/edit.html",
        form=form,
        notice=notice,
        reasons=reasons,
        flagged=flagged,
        only_flagged=request.args.get("loc") == REVIEW_FILTER,
        review_filter=REVIEW_FILTER,
        problems=_row_problems(form),
        entries=PickerMarkup(picker_entries(db())),
        recurrence_choices=[(value, str(label)) for value, label in RECURRENCE_CHOICES],
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
        _fill_rows(form, conclusion_id)
        if request.args.get("them"):
            form.rows.append_entry()
        return _render_editor(form, notice)
    form = DraftForm()
    valid = form.validate_on_submit()
    if not (_require_code_and_text(form) and valid):
        return _render_editor(
            form,
            notice,
            400,
            _("Chưa lưu được: sửa các dòng được liệt kê dưới đây (bấm để tới dòng đó)."),
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
            reviewed=bool(row.reviewed.data),
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
        drafts.save_draft(
            db(),
            actor=current_user,
            conclusion_id=conclusion_id,
            expected_version=int(form.version.data),
            header=header,
            rows=rows,
        )
    if (error := outcome.error) is not None:
        return _render_editor(form, notice, error.status_code, translate_error(error))
    if form.publish.data:
        return redirect(url_for(".confirm_publish", conclusion_id=conclusion_id))
    if form.add_row.data:
        flash(_("Đã lưu; điền nhiệm vụ mới ở dòng cuối."), "info")
        return redirect(url_for(".edit", conclusion_id=conclusion_id, them=1) + "#cuoi")
    flash(_("Đã lưu bản nháp. Bạn có thể quay lại sửa tiếp bất cứ lúc nào."), "success")
    only_flagged = request.args.get("loc") == REVIEW_FILTER
    return redirect(
        url_for(".edit", conclusion_id=conclusion_id, loc=REVIEW_FILTER if only_flagged else None)
    )


def _confirm_page(
    notice_id: int,
    status: int = 200,
    error: str | None = None,
    move_form: MoveDueForm | None = None,
) -> tuple[str, int]:
    summary = desk.publication_summary(
        db(), actor=current_user, conclusion_id=notice_id, today=local_today()
    )
    version = summary.notice.version
    move_form = move_form or MoveDueForm(version=version)
    move_form.version.data = str(version)
    return render_template(
        "notices/confirm.html",
        summary=summary,
        publish_form=PublishForm(version=version),
        move_form=move_form,
        soon_days=desk.SOON_DAYS,
        error=error,
    ), status


@bp.route("/<int:conclusion_id>/ban-hanh", methods=["GET", "POST"])
@requires(can_manage_notices)
def confirm_publish(conclusion_id: int) -> Response | tuple[str, int]:
    """One screen before publishing: what would happen, and "Ban hành" for exactly that."""
    notice = drafts.load_notice(db(), conclusion_id)
    if notice.status != NoticeStatus.DRAFT:
        return redirect(url_for(".view", conclusion_id=conclusion_id))
    if request.method == "GET":
        return _confirm_page(conclusion_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _confirm_page(conclusion_id, 400, _("Trang đã cũ. Xem lại số liệu rồi bấm lại."))
    with attempt() as outcome:
        created = drafts.publish(
            db(),
            actor=current_user,
            conclusion_id=conclusion_id,
            expected_version=int(form.version.data),
        )
    if (error := outcome.error) is not None:
        if drafts.load_notice(db(), conclusion_id).status != NoticeStatus.DRAFT:
            # Published meanwhile (a double click, a colleague): show it, nothing was doubled.
            flash(translate_error(error), "info")
            return redirect(url_for(".view", conclusion_id=conclusion_id))
        return _confirm_page(conclusion_id, error.status_code, translate_error(error))
    flash(_("Đã ban hành: %(n)s nhiệm vụ được giao cho các đơn vị.", n=len(created)), "success")
    return redirect(url_for(".view", conclusion_id=conclusion_id))


@bp.post("/<int:conclusion_id>/doi-han")
@requires(can_manage_notices)
def move_due_dates(conclusion_id: int) -> Response | tuple[str, int]:
    form = MoveDueForm()
    if not form.validate_on_submit() or form.new_due.parsed is None:
        return _confirm_page(conclusion_id, 400, move_form=form)
    with attempt() as outcome:
        moved = desk.move_past_due_dates(
            db(),
            actor=current_user,
            conclusion_id=conclusion_id,
            expected_version=int(form.version.data),
            new_due=form.new_due.parsed,
            today=local_today(),
        )
    if (error := outcome.error) is not None:
        return _confirm_page(conclusion_id, error.status_code, translate_error(error), form)
    if moved:
        flash(
            _(
                "Đã dời hạn của %(n)s nhiệm vụ (%(codes)s) sang %(day)s.",
                n=len(moved),
                codes=", ".join(moved),
                day=form.new_due.data,
            ),
            "success",
        )
    else:
        flash(_("Không có nhiệm vụ nào có hạn đã qua."), "info")
    return redirect(url_for(".confirm_publish", conclusion_id=conclusion_id))


@bp.route("/<int:conclusion_id>/xoa", methods=["GET", "POST"])
@requires(can_manage_notices)
def delete(conclusion_id: int) -> Response | tuple[str, int]:
    notice = drafts.load_notice(db(), conclusion_id)
    if notice.status != NoticeStatus.DRAFT:
        return redirect(url_for(".view", conclusion_id=conclusion_id))
    form = DeleteDraftForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("notices/delete.html", notice=notice, form=form), status
    with change():
        label = desk.delete_draft(
            db(), actor=current_user, conclusion_id=conclusion_id, source_dir=_source_dir()
        )
    flash(_("Đã xóa bản nháp %(name)s và tệp gốc của nó.", name=label), "success")
    return redirect(url_for("dashboard.notices_home"))


def _source_dir() -> Path:
    return current_app.extensions["tracker.settings"].instance_path / "notices"


@bp.route("/<int:conclusion_id>/van-ban-goc")
@login_required
def source(conclusion_id: int) -> Response:
    """The stored original document, opened in the browser (PDF, text) or downloaded."""
    document = desk.source_document(
        db(), actor=current_user, conclusion_id=conclusion_id, source_dir=_source_dir()
    )
    inline = document.path.suffix in {".pdf", ".txt"}
    response = send_file(
        document.path,
        mimetype=SOURCE_TYPES.get(document.path.suffix, "application/octet-stream"),
        as_attachment=not inline,
        download_name=document.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


SOURCE_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


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
    entries = PickerMarkup(picker_entries(session))
    if request.method == "POST" and form.validate_on_submit():
        with attempt() as outcome:
            corrections.correct_task(
                session,
                actor=current_user,
                task_id=saved_id(task),
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
                entries=entries,
                error=translate_error(error),
            ), error.status_code
        flash(
            _("Đã điều chỉnh nhiệm vụ %(code)s; lịch sử thay đổi được lưu.", code=task.code),
            "success",
        )
        return redirect(url_for(".view", conclusion_id=notice.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "notices/correct.html", form=form, task=task, notice=notice, entries=entries
    ), status
