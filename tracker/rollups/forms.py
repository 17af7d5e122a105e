"""Forms of the dashboard and the quarter reviews."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.fields import VNDateField
from tracker.inputs import MAX_ID


class FilterForm(FlaskForm):
    """The dashboard's filters; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    ky = SelectField(_l("Kỳ"), choices=[], validate_choice=False, default="")
    tb = SelectField(_l("Thông báo"), choices=[], validate_choice=False, default="")
    ngay = VNDateField(_l("Tính đến ngày"), validators=[Optional()])


class OpenReviewForm(FlaskForm):
    period = SelectField(_l("Kỳ giao ban"), choices=[], validators=[DataRequired()])


class CommentForm(FlaskForm):
    unit_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    body = TextAreaField(_l("Nhận xét"), validators=[Length(max=4000)])


class FreezeForm(FlaskForm):
    meeting_on = VNDateField(
        _l("Ngày họp"), validators=[InputRequired(_l("Nhập ngày họp giao ban (ngày/tháng/năm)."))]
    )
    # Freezing cannot be undone: the person says so before it is done.
    confirm = BooleanField(
        _l("Tôi hiểu: chốt số liệu là cuối cùng, không sửa và không hủy được."),
        validators=[DataRequired(_l("Đánh dấu ô xác nhận trước khi chốt số liệu."))],
    )


class ExplanationRequestForm(FlaskForm):
    unit_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    message = TextAreaField(
        _l("Nội dung yêu cầu giải trình"),
        validators=[DataRequired(_l("Nhập nội dung yêu cầu giải trình.")), Length(max=4000)],
    )


class AnswerForm(FlaskForm):
    """The unit's answer; the fields are written out by hand in rollups/_explanations.html."""

    answer = TextAreaField(
        _l("Nội dung giải trình"),
        validators=[DataRequired(_l("Nhập nội dung giải trình.")), Length(max=4000)],
    )
    next = HiddenField()
