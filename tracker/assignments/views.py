"""The assignment page (progress, extension, delegation, comments), evidence downloads, and
the extension decisions. Views load, authorize through the service, validate, call, redirect."""

from __future__ import annotations

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
from werkzeug.wrappers import Response

from tracker.assignments import extensions, progress, queries
from tracker.assignments.evidence import EvidenceStore, Upload, store_for
from tracker.assignments.forms import (
    BulkDecisionForm,
    CommentForm,
    DecisionForm,
    DelegateForm,
    ExtensionForm,
    ProgressForm,
)
from tracker.assignments.status import CATEGORY_LABELS, STATUS_LABELS
from tracker.audit import wording
from tracker.errors import N_, NotFound
from tracker.fields import choices
from tracker.i18n import local_today, translate_error
from tracker.inputs import parse_id
from tracker.permissions import can_decide_extensions
from tracker.request_db import attempt, change, db
from tracker.rollups import explanations
from tracker.view_guards import requires

bp = Blueprint("assignments", __name__)


def evidence_store() -> EvidenceStore:
    """Evidence files live under the instance folder, outside anything served statically."""
    return store_for(current_app.extensions["tracker.settings"])


def _page(
    assignment_id: int, status: int = 200, error: str | None = None, **forms: Any
) -> tuple[str, int]:
    detail = queries.assignment_detail(
        db(), actor=current_user, assignment_id=assignment_id, reference=local_today()
    )
    assignment = detail.context.assignment
    progress_form = forms.get("progress_form") or ProgressForm(
        version=assignment.version,
        status=assignment.status if assignment.status != "cancelled" else "in_progress",
        percent=assignment.percent,
    )
    delegate_form = forms.get("delegate_form") or DelegateForm()
    delegate_form.units.choices = choices([(unit.id, unit.name) for unit in detail.child_units])
    return render_template(
        "assignments/detail.html",
        detail=detail,
        error=error,
        progress_form=progress_form,
        extension_form=forms.get("extension_form") or ExtensionForm(),
        delegate_form=delegate_form,
        comment_form=forms.get("comment_form") or CommentForm(),
        explanations=explanations.for_assignment(
            db(), actor=current_user, assignment_id=assignment_id
        ),
        history=wording.describe(db(), [(entry.event, entry.actor) for entry in detail.history]),
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
    ), status


@bp.route("/nhiem-vu/<int:assignment_id>")
@login_required
def detail(assignment_id: int) -> tuple[str, int]:
    return _page(assignment_id)


@bp.post("/nhiem-vu/<int:assignment_id>/bao-cao")
@login_required
def report(assignment_id: int) -> Response | tuple[str, int]:
    form = ProgressForm()
    if not form.validate_on_submit():
        return _page(
            assignment_id,
            400,
            _("Báo cáo chưa được gửi: kiểm tra các ô báo đỏ."),
            progress_form=form,
        )
    uploads = [
        Upload(item.filename or "", item.read())
        for item in form.files.data or []
        if item and item.filename
    ]
    with attempt() as outcome:
        progress.report_progress(
            db(),
            actor=current_user,
            assignment_id=assignment_id,
            expected_version=int(form.version.data),
            status=form.status.data,
            percent=form.percent.data or 0,
            note=form.note.data or "",
            uploads=uploads,
            store=evidence_store(),
            today=local_today(),
        )
    if (error := outcome.error) is not None:
        if error.status_code == 409:
            # Keep what the person typed, but against the version they now see.
            form.version.data = str(
                queries.assignment_detail(
                    db(), actor=current_user, assignment_id=assignment_id, reference=local_today()
                ).context.assignment.version
            )
        return _page(assignment_id, error.status_code, translate_error(error), progress_form=form)
    flash(_("Đã ghi nhận báo cáo tiến độ."), "success")
    return redirect(url_for(".detail", assignment_id=assignment_id))


@bp.post("/nhiem-vu/<int:assignment_id>/gia-han")
@login_required
def ask_extension(assignment_id: int) -> Response | tuple[str, int]:
    form = ExtensionForm()
    # A date that passed validation is parsed; the second test only tells mypy so.
    if not form.validate_on_submit() or form.requested_due.parsed is None:
        return _page(
            assignment_id,
            400,
            _("Đề nghị gia hạn chưa được gửi: kiểm tra các ô báo đỏ."),
            extension_form=form,
        )
    with attempt() as outcome:
        extensions.request_extension(
            db(),
            actor=current_user,
            assignment_id=assignment_id,
            requested_due=form.requested_due.parsed,
            reason=form.reason.data or "",
            today=local_today(),
        )
    if (error := outcome.error) is not None:
        return _page(assignment_id, error.status_code, translate_error(error), extension_form=form)
    flash(_("Đã gửi đề nghị gia hạn; bạn sẽ được báo khi có quyết định."), "success")
    return redirect(url_for(".detail", assignment_id=assignment_id))


@bp.post("/nhiem-vu/<int:assignment_id>/phan-cong")
@login_required
def delegate(assignment_id: int) -> Response | tuple[str, int]:
    form = DelegateForm()
    form.units.choices = choices(
        [
            (unit_id, value)
            for value in request.form.getlist("units")
            if (unit_id := parse_id(value)) is not None
        ]
    )
    if not form.validate_on_submit():
        return _page(
            assignment_id, 400, _("Chưa phân công được: kiểm tra các ô báo đỏ."), delegate_form=form
        )
    with attempt() as outcome:
        progress.delegate(
            db(),
            actor=current_user,
            assignment_id=assignment_id,
            unit_ids=form.units.data or [],
            due=form.due.parsed,
            today=local_today(),
        )
    if (error := outcome.error) is not None:
        return _page(assignment_id, error.status_code, translate_error(error), delegate_form=form)
    flash(
        _("Đã phân công cho đơn vị cấp dưới; tiến độ của họ sẽ được tổng hợp vào đây."), "success"
    )
    return redirect(url_for(".detail", assignment_id=assignment_id))


@bp.post("/nhiem-vu/<int:assignment_id>/y-kien")
@login_required
def comment(assignment_id: int) -> Response | tuple[str, int]:
    form = CommentForm()
    if not form.validate_on_submit():
        return _page(
            assignment_id, 400, _("Ý kiến chưa được gửi: nhập nội dung."), comment_form=form
        )
    with change():
        progress.add_comment(
            db(), actor=current_user, assignment_id=assignment_id, body=form.body.data or ""
        )
    flash(_("Đã gửi ý kiến."), "success")
    return redirect(url_for(".detail", assignment_id=assignment_id) + "#y-kien")


@bp.route("/tep/<int:evidence_id>")
@login_required
def evidence(evidence_id: int) -> Response:
    item = queries.evidence_for_download(db(), actor=current_user, evidence_id=evidence_id)
    path = evidence_store().path(item.stored_name)
    if not path.is_file():
        raise NotFound(N_("Tệp không còn trên máy chủ; báo quản trị viên để khôi phục."))
    return send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name
    )


@bp.route("/gia-han")
@requires(can_decide_extensions)
def pending_extensions() -> str:
    rows = extensions.list_pending(db(), actor=current_user)
    return render_template(
        "assignments/extensions.html",
        rows=rows,
        forms={row.request.id: DecisionForm(prefix=f"r{row.request.id}") for row in rows},
        bulk_form=BulkDecisionForm(),
    )


@bp.post("/gia-han/nhieu")
@requires(can_decide_extensions)
def decide_many() -> Response:
    """One decision and one comment for every ticked request, each with its history."""
    form = BulkDecisionForm()
    if not form.validate_on_submit():
        flash(_("Chưa ghi nhận quyết định: tải lại trang và thử lại."), "error")
        return redirect(url_for(".pending_extensions"))
    ids = [parse_id(raw) for raw in form.ids.data or []]
    with attempt() as outcome:
        decided = extensions.decide_many(
            db(),
            actor=current_user,
            request_ids=[request_id for request_id in ids if request_id is not None],
            approve=bool(form.approve.data),
            comment=form.comment.data or "",
        )
    if outcome.error is not None:
        # Nothing was decided (the unit of work undid the batch): say why.
        flash(translate_error(outcome.error), "error")
        return redirect(url_for(".pending_extensions"))
    flash(
        _("Đã đồng ý %(n)s đề nghị gia hạn; hạn mới đã được cập nhật.", n=len(decided))
        if form.approve.data
        else _("Đã ghi nhận không đồng ý %(n)s đề nghị gia hạn.", n=len(decided)),
        "success",
    )
    return redirect(url_for(".pending_extensions"))


@bp.post("/gia-han/<int:request_id>")
@requires(can_decide_extensions)
def decide(request_id: int) -> Response:
    form = DecisionForm(prefix=f"r{request_id}")
    if not form.validate_on_submit():
        flash(_("Chưa ghi nhận quyết định: tải lại trang và thử lại."), "error")
        return redirect(url_for(".pending_extensions"))
    with attempt() as outcome:
        extensions.decide_extension(
            db(),
            actor=current_user,
            request_id=request_id,
            approve=bool(form.approve.data),
            comment=form.comment.data or "",
        )
    if outcome.error is not None:
        flash(translate_error(outcome.error), "error")
        return redirect(url_for(".pending_extensions"))
    flash(
        _("Đã đồng ý gia hạn; hạn mới đã được cập nhật.")
        if form.approve.data
        else _("Đã ghi nhận không đồng ý gia hạn."),
        "success",
    )
    return redirect(url_for(".pending_extensions"))
