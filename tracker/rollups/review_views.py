"""Quarter reviews (/giao-ban): the review page, comments, freezing, explanations, exports."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any, cast

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
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.accounts.models import User
from tracker.assignments.status import STATUS_LABELS, Category
from tracker.errors import N_, InvalidInput
from tracker.i18n import local_today, translate_error
from tracker.inputs import id_arg, parse_id
from tracker.permissions import (
    can_freeze_reviews,
    can_manage_reviews,
    can_request_explanations,
)
from tracker.redirects import same_site_path
from tracker.request_db import attempt, change, db
from tracker.rollups import (
    explanations,
    export_docx,
    export_xlsx,
    exports,
    queries,
    report,
    reviews,
)
from tracker.rollups.forms import (
    AnswerForm,
    CommentForm,
    ExplanationRequestForm,
    FreezeForm,
    OpenReviewForm,
)
from tracker.rollups.periods import Period, period_choices
from tracker.rollups.views import category_labels, period_label
from tracker.view_guards import requires

bp = Blueprint("reviews", __name__)


@bp.route("/giao-ban", methods=["GET", "POST"])
@requires(can_manage_reviews)
def index() -> str | Response:
    session = db()
    form = OpenReviewForm()
    form.period.choices = [
        (p.code, period_label(p))
        for p in period_choices(
            *queries.years_with_work(session, actor=current_user, today=local_today())
        )
    ]
    if form.validate_on_submit():
        with change():
            review = reviews.open_review(
                session, actor=current_user, period=Period.parse(form.period.data or "")
            )
        return redirect(url_for(".detail", review_id=review.id))
    return render_template(
        "rollups/reviews.html", form=form, rows=reviews.list_reviews(session, actor=current_user)
    )


@bp.route("/giao-ban/<int:review_id>")
@requires(can_manage_reviews)
def detail(review_id: int) -> str:
    session, today = db(), local_today()
    review = reviews.get_review(session, actor=current_user, review_id=review_id)
    parent_id = request.args.get("dv", type=id_arg)
    level = report.review_level(
        session, actor=current_user, review=review, parent_id=parent_id, today=today
    )
    asked = report.review_items(
        session, actor=current_user, review=review, today=today, asked_only=True
    )
    return render_template(
        "rollups/review.html",
        review=review,
        period=Period.parse(review.period),
        reference=reviews.reference_of(review, today),
        comparison=reviews.compare(session, actor=current_user, review=review, today=today),
        level=level,
        comments=reviews.comments(session, review.id or 0),
        asked=asked,
        labels=category_labels(),
        status_labels=STATUS_LABELS,
        list_link=lambda unit_id=None, category=None, own=False: url_for(
            ".items",
            review_id=review.id,
            **cast(
                dict[str, Any],  # query values; none is one of url_for's own "_" arguments
                {
                    key: value
                    for key, value in (
                        ("dv", unit_id),
                        ("loai", category.value if category else None),
                        ("rieng", "1" if own else None),
                    )
                    if value
                },
            ),
        ),
        drill_link=lambda unit_id: url_for(".detail", review_id=review.id, dv=unit_id),
        comment_form=CommentForm(),
        freeze_form=FreezeForm(meeting_on=review.meeting_on or today),
        request_form=ExplanationRequestForm(),
        can_freeze=can_freeze_reviews(current_user) and not review.is_frozen,
        frozen_by=session.get(User, review.frozen_by_id) if review.frozen_by_id else None,
        today=today,
        can_request=can_request_explanations(current_user),
        categories=Category,
    )


@bp.route("/giao-ban/<int:review_id>/nhiem-vu")
@requires(can_manage_reviews)
def items(review_id: int) -> str:
    """The review's assignments that one figure counts."""
    session = db()
    review = reviews.get_review(session, actor=current_user, review_id=review_id)
    raw = request.args.get("loai", "")
    if raw and raw not in {category.value for category in Category}:
        raise InvalidInput(N_("Loại tình trạng không hợp lệ."))
    unit = report.unit_or_none(session, request.args.get("dv", type=id_arg))
    lines = report.review_items(
        session,
        actor=current_user,
        review=review,
        today=local_today(),
        unit_id=unit.id if unit else None,
        own_only=request.args.get("rieng") == "1",
        category=Category(raw) if raw else None,
    )
    return render_template(
        "rollups/review_items.html",
        review=review,
        lines=lines,
        unit=unit,
        category=Category(raw) if raw else None,
        labels=category_labels(),
        status_labels=STATUS_LABELS,
    )


@bp.post("/giao-ban/<int:review_id>/nhan-xet")
@requires(can_manage_reviews)
def comment(review_id: int) -> Response:
    form = CommentForm()
    if form.validate_on_submit():
        with change():
            reviews.save_comment(
                db(),
                actor=current_user,
                review_id=review_id,
                unit_id=form.unit_id.data or 0,
                body=form.body.data or "",
            )
        flash(_("Đã lưu nhận xét."), "info")
    else:
        flash(_("Nhận xét chưa được lưu: kiểm tra lại nội dung."), "error")
    return redirect(request.referrer or url_for(".detail", review_id=review_id))


@bp.post("/giao-ban/<int:review_id>/chot")
@requires(can_freeze_reviews)
def freeze(review_id: int) -> Response:
    form = FreezeForm()
    if not form.validate_on_submit() or form.meeting_on.parsed is None:
        flash(
            _(
                "Chưa chốt số liệu: chọn ngày họp giao ban và đánh dấu ô xác nhận "
                "rằng việc chốt là cuối cùng, rồi bấm lại."
            ),
            "error",
        )
        return redirect(url_for(".detail", review_id=review_id))
    with change():
        reviews.freeze(
            db(),
            actor=current_user,
            review_id=review_id,
            meeting_on=form.meeting_on.parsed,
            today=local_today(),
        )
    flash(_("Đã chốt số liệu kỳ giao ban; các số liệu này sẽ không thay đổi nữa."), "info")
    return redirect(url_for(".detail", review_id=review_id))


@bp.post("/giao-ban/<int:review_id>/giai-trinh")
@requires(can_request_explanations)
def ask(review_id: int) -> Response:
    form = ExplanationRequestForm()
    if not form.validate_on_submit():
        flash(_("Nhập nội dung yêu cầu giải trình."), "error")
        return redirect(url_for(".detail", review_id=review_id))
    with change():
        created = explanations.request_for_unit(
            db(),
            actor=current_user,
            review_id=review_id,
            unit_id=form.unit_id.data or 0,
            message=form.message.data or "",
            today=local_today(),
        )
    if created:
        flash(
            ngettext(
                "Đã gửi yêu cầu giải trình về %(num)d nhiệm vụ quá hạn.",
                "Đã gửi yêu cầu giải trình về %(num)d nhiệm vụ quá hạn.",
                len(created),
            ),
            "info",
        )
    else:
        flash(_("Không có nhiệm vụ quá hạn nào chưa được yêu cầu giải trình."), "info")
    return redirect(request.referrer or url_for(".detail", review_id=review_id))


@bp.post("/giai-trinh/<int:request_id>/tra-loi")
@login_required
def answer(request_id: int) -> Response:
    """The unit's answer, posted from rollups/_explanations.html on the assignment page."""
    form = AnswerForm()
    back = same_site_path(form.next.data) or url_for("dashboard.home")
    if not form.validate_on_submit():
        flash(_("Nhập nội dung giải trình."), "error")
        return redirect(back)
    with attempt() as outcome:
        explanations.answer(
            db(), actor=current_user, request_id=request_id, text=form.answer.data or ""
        )
    if outcome.error is not None:
        flash(translate_error(outcome.error), "error")
        return redirect(back)
    flash(_("Đã gửi giải trình."), "info")
    return redirect(back)


@bp.route("/giai-trinh/<int:batch_id>", methods=["GET", "POST"])
@login_required
def explanation_page(batch_id: int) -> str | Response | tuple[str, int]:
    """One explanation request: its tasks, and the unit's answers to them on one page."""
    session = db()
    error = None
    if request.method == "POST":
        answers = {
            request_id: text
            for name, text in request.form.items()
            if name.startswith("answer-")
            and (request_id := parse_id(name.removeprefix("answer-"))) is not None
        }
        with attempt() as outcome:
            answered = explanations.answer_many(
                session, actor=current_user, batch_id=batch_id, answers=answers
            )
        if outcome.error is None:
            flash(
                ngettext(
                    "Đã gửi giải trình về %(num)d nhiệm vụ.",
                    "Đã gửi giải trình về %(num)d nhiệm vụ.",
                    len(answered),
                ),
                "info",
            )
            return redirect(url_for(".explanation_page", batch_id=batch_id))
        error = translate_error(outcome.error)
    shown = explanations.batch(session, actor=current_user, batch_id=batch_id)
    page = render_template(
        "rollups/explanation_request.html",
        batch=shown,
        error=error,
        typed=request.form if error else {},
    )
    return (page, 400) if error else page


@bp.route("/giao-ban/<int:review_id>/bao-cao.docx")
@requires(can_manage_reviews)
def export_word(review_id: int) -> Response:
    """The review as a Word report."""
    return _export(review_id, "docx", export_docx.write, export_docx.MIMETYPE)


@bp.route("/giao-ban/<int:review_id>/bao-cao.xlsx")
@requires(can_manage_reviews)
def export_excel(review_id: int) -> Response:
    """The review as an Excel workbook."""
    return _export(review_id, "xlsx", export_xlsx.write, export_xlsx.MIMETYPE)


def _export(
    review_id: int,
    suffix: str,
    write: Callable[[exports.ReviewContent, BytesIO], None],
    mimetype: str,
) -> Response:
    session = db()
    review = reviews.get_review(session, actor=current_user, review_id=review_id)
    content = exports.build(
        session,
        actor=current_user,
        review=review,
        today=local_today(),
        settings=current_app.extensions["tracker.settings"].report,
    )
    buffer = BytesIO()
    write(content, buffer)
    buffer.seek(0)
    # The file name carries the period, so a folder of reports sorts by it.
    return send_file(
        buffer,
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"giao-ban-{review.period}.{suffix}",
    )
