"""Notices: import a file, correct the parsed draft, publish, view, correct a published task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from sqlmodel import select
from werkzeug.wrappers import Response

from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS
from tracker.db import utcnow
from tracker.errors import InvalidInput
from tracker.i18n import local_today, translate_error
from tracker.inputs import parse_id
from tracker.lists import pages as list_pages
from tracker.notices import bulk, corrections, desk, drafts, imports, queries, withdraw
from tracker.notices import source_text as text_view
from tracker.notices.doc_types import doc_type_label
from tracker.notices.forms import (
    RECURRENCE_CHOICES,
    BulkForm,
    CorrectTaskForm,
    DeleteDraftForm,
    DraftForm,
    ImportForm,
    MoveDueForm,
    PublishForm,
    WithdrawForm,
)
from tracker.notices.models import Conclusion, ImportStatus, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.notices.picker import PickerMarkup, picker_entries
from tracker.notices.review import review_reasons
from tracker.permissions import (
    can_decide_extensions,
    can_manage_notices,
    can_view_all_assignments,
)
from tracker.request_db import attempt, change, db, engine
from tracker.tables import saved_id
from tracker.units.models import Unit
from tracker.view_guards import requires

bp = Blueprint("notices", __name__, url_prefix="/thong-bao")


@bp.route("")
@requires(can_view_all_assignments)
def index() -> Response | tuple[str, int]:
    """The notices list: the secretary's home, sortable, filterable and exportable."""
    session = db()
    pending = (
        queries.count_pending_extensions(session, actor=current_user)
        if can_decide_extensions(current_user)
        else None
    )
    return list_pages.notice_page(
        session,
        actor=current_user,
        endpoint="notices.index",
        template="notices/list.html",
        reference=local_today(),
        pending_extensions=pending,
        can_import=can_manage_notices(current_user),
    )


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
UNIT_FILTER = "don-vi"


def _draft_state(conclusion_id: int) -> tuple[list[Task], dict[int, list[TaskUnit]]]:
    return queries.tasks_with_links(db(), conclusion_id)


def _reasons_by_task(conclusion_id: int) -> dict[str, list[str]]:
    """Each stored task's review flags, translated, by task id (as the form carries it)."""
    tasks, links = _draft_state(conclusion_id)
    return {
        str(task.id): [
            _(reason)
            for reason in review_reasons(
                task,
                has_lead=any(link.role == TaskRole.LEAD for link in links.get(saved_id(task), [])),
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
                "lead": [f"u:{link.unit_id}" for link in own if link.role == TaskRole.LEAD],
                "support": [f"u:{link.unit_id}" for link in own if link.role == TaskRole.SUPPORT],
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
    unit_filter = (request.args.get(UNIT_FILTER) or "").strip()[:80]
    entries = PickerMarkup(picker_entries(db()), only=unit_filter)
    form.unit_filter.data = unit_filter
    return render_template(
        "notices/edit.html",
        form=form,
        notice=notice,
        reasons=reasons,
        flagged=flagged,
        only_flagged=request.args.get("loc") == REVIEW_FILTER,
        review_filter=REVIEW_FILTER,
        problems=_row_problems(form),
        entries=entries,
        unit_filter=unit_filter,
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
    rows, header = _draft_rows(form), _draft_header(form)
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
    return _after_saving(form, conclusion_id)


def _draft_rows(form: DraftForm) -> list[drafts.DraftRow]:
    """The form's rows to keep: neither marked for removal nor left empty."""
    return [
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


def _draft_header(form: DraftForm) -> drafts.DraftHeader:
    """The notice's header fields as the form sent them."""
    return drafts.DraftHeader(
        number=form.number.data,
        title=form.title.data or "",
        issued_on=form.issued_on.parsed,
        period=form.period.data,
        default_due=form.default_due.parsed,
    )


def _after_saving(form: DraftForm, conclusion_id: int) -> Response:
    """Where a saved draft goes next: publishing, a new row, filtered pickers or back to editing."""
    if form.publish.data:
        return redirect(url_for(".confirm_publish", conclusion_id=conclusion_id))
    if form.add_row.data:
        flash(_("Đã lưu; điền nhiệm vụ mới ở dòng cuối."), "info")
        return redirect(url_for(".edit", conclusion_id=conclusion_id, them=1) + "#cuoi")
    only_flagged = request.args.get("loc") == REVIEW_FILTER
    if form.filter_units.data:
        # Saved first, so nothing typed is lost; then every picker lists only the matches.
        typed = (form.unit_filter.data or "").strip()
        narrowed: dict[str, Any] = {UNIT_FILTER: typed} if typed else {}
        return redirect(
            url_for(
                ".edit",
                conclusion_id=conclusion_id,
                loc=REVIEW_FILTER if only_flagged else None,
                **narrowed,
            )
        )
    flash(_("Đã lưu bản nháp. Bạn có thể quay lại sửa tiếp bất cứ lúc nào."), "success")
    kept: dict[str, Any] = (
        {UNIT_FILTER: request.args[UNIT_FILTER]} if request.args.get(UNIT_FILTER) else {}
    )
    return redirect(
        url_for(
            ".edit",
            conclusion_id=conclusion_id,
            loc=REVIEW_FILTER if only_flagged else None,
            **kept,
        )
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
    return redirect(url_for(".index"))


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


@bp.route("/<int:conclusion_id>/van-ban-goc/doc")
@login_required
def source_text(conclusion_id: int) -> tuple[str, int]:
    """The original's text with one task's paragraph marked (?task=<id>, #doan-<id>)."""
    task_id = parse_id(request.args.get("task"))
    try:
        document = text_view.source_text(
            db(),
            actor=current_user,
            conclusion_id=conclusion_id,
            task_id=task_id,
            source_dir=_source_dir(),
            limits=current_app.extensions["tracker.settings"].parse_limits,
        )
    except InvalidInput as refused:  # no text layer: offer the original file instead
        return render_template(
            "notices/source_text.html",
            conclusion_id=conclusion_id,
            document=None,
            error=translate_error(refused),
        ), 200
    return render_template(
        "notices/source_text.html", conclusion_id=conclusion_id, document=document, error=None
    ), 200


SOURCE_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _withdraw_page(
    notice: Conclusion, status: int = 200, error: str | None = None
) -> tuple[str, int]:
    check = withdraw.withdraw_check(
        db(), actor=current_user, conclusion_id=notice.id or 0, now=utcnow()
    )
    refusal = (
        translate_error(InvalidInput(check.reason, **check.reason_args)) if check.reason else None
    )
    return render_template(
        "notices/withdraw.html",
        notice=notice,
        check=check,
        refusal=refusal,
        form=WithdrawForm(version=notice.version),
        error=error,
    ), status


@bp.route("/<int:conclusion_id>/thu-hoi", methods=["GET", "POST"])
@requires(can_manage_notices)
def withdraw_notice(conclusion_id: int) -> Response | tuple[str, int]:
    """Withdraw a publication made by mistake: a page that says what it does, then the click."""
    notice = drafts.load_notice(db(), conclusion_id)
    if notice.status == NoticeStatus.DRAFT:
        return redirect(url_for(".edit", conclusion_id=conclusion_id))
    if request.method == "GET":
        return _withdraw_page(notice)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _withdraw_page(notice, 400, _("Trang đã cũ. Xem lại rồi bấm lại."))
    settings = current_app.extensions["tracker.settings"]
    with attempt() as outcome:
        draft = withdraw.withdraw_publication(
            db(),
            actor=current_user,
            conclusion_id=conclusion_id,
            expected_version=int(form.version.data),
            now=utcnow(),
            base_url=settings.base_url,
        )
    if (error := outcome.error) is not None:
        notice = drafts.load_notice(db(), conclusion_id)
        return _withdraw_page(notice, error.status_code, translate_error(error))
    flash(
        _(
            "Đã thu hồi thông báo; các đơn vị không còn thấy nhiệm vụ của nó. "
            "Sửa bản nháp mới này rồi ban hành lại."
        ),
        "success",
    )
    return redirect(url_for(".edit", conclusion_id=draft.id))


def _render_notice(
    conclusion_id: int,
    *,
    bulk_form: BulkForm | None = None,
    picked: set[int] | None = None,
    problems: list[tuple[int, str, str]] | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    notice, tasks = queries.notice_overview(
        db(), actor=current_user, conclusion_id=conclusion_id, reference=local_today()
    )
    can_correct = can_manage_notices(current_user)
    bulk = can_correct and notice.status == NoticeStatus.PUBLISHED
    if bulk and bulk_form is None:
        bulk_form = BulkForm()
    if bulk and bulk_form is not None:
        bulk_form.unit.choices = [("", "—")] + [
            (str(unit.id), unit.name) for unit in db().exec(select(Unit).order_by(Unit.name)).all()
        ]
    successor = db().exec(select(Conclusion).where(Conclusion.revises_id == notice.id)).first()
    return render_template(
        "notices/view.html",
        notice=notice,
        tasks=tasks,
        successor=successor,
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
        can_correct=can_correct,
        bulk_form=bulk_form if bulk else None,
        picked=picked or set(),
        problems=problems or [],
        problem_ids={assignment_id for assignment_id, _label, _text in problems or []},
        error=error,
    ), status


@bp.route("/<int:conclusion_id>")
@requires(can_view_all_assignments)
def view(conclusion_id: int) -> Response | tuple[str, int]:
    notice = drafts.load_notice(db(), conclusion_id)
    if notice.status == NoticeStatus.DRAFT and can_manage_notices(current_user):
        return redirect(url_for(".edit", conclusion_id=conclusion_id))
    return _render_notice(conclusion_id)


def _picks(values: list[str]) -> list[tuple[int, int]]:
    """("<assignment id>:<version>", ...) as the checkboxes send them; junk is left out."""
    picks = []
    for value in values:
        raw_id, _sep, raw_version = value.partition(":")
        assignment_id, version = parse_id(raw_id), parse_id(raw_version)
        if assignment_id is not None and version is not None:
            picks.append((assignment_id, version))
    return list(dict(picks).items())


@bp.post("/<int:conclusion_id>/hang-loat")
@requires(can_manage_notices)
def bulk_change(conclusion_id: int) -> Response | tuple[str, int]:
    """Re-assign or move the due dates of the ticked assignments, all or none."""
    form = BulkForm()
    picks = _picks(request.form.getlist("pick"))
    picked = {assignment_id for assignment_id, _version in picks}

    def again(
        status: int, error: str, problems: list[tuple[int, str, str]] | None = None
    ) -> tuple[str, int]:
        return _render_notice(
            conclusion_id,
            bulk_form=form,
            picked=picked,
            problems=problems,
            error=error,
            status=status,
        )

    if not form.validate_on_submit():
        return again(400, _("Chưa thay đổi gì: xem lại các ô báo lỗi trong khung điều chỉnh."))
    bulk_request = bulk.BulkRequest(
        action=bulk.BulkAction(form.action.data or "shift"),
        picks=picks,
        unit_id=parse_id(form.unit.data),
        days=form.days.data,
        new_due=form.new_due.parsed,
        comment=form.comment.data or "",
    )
    with attempt() as outcome:
        done = bulk.apply_bulk(
            db(),
            actor=current_user,
            conclusion_id=conclusion_id,
            request=bulk_request,
            today=local_today(),
        )
    if (error := outcome.error) is not None:
        problems = [
            (
                problem.assignment_id,
                problem.label,
                translate_error(InvalidInput(problem.template, **problem.params)),
            )
            for problem in getattr(error, "problems", [])
        ]
        return again(error.status_code, translate_error(error), problems)
    flash(
        _(
            "Đã điều chỉnh %(n)s nhiệm vụ (cùng một lần, ghi vào lịch sử từng nhiệm vụ).",
            n=done,
        ),
        "success",
    )
    return redirect(url_for(".view", conclusion_id=conclusion_id))


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
            lead=[f"u:{link.unit_id}" for link in links if link.role == TaskRole.LEAD],
            support=[f"u:{link.unit_id}" for link in links if link.role == TaskRole.SUPPORT],
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
