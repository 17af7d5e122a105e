"""Forms of the assignment page and the extension decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.fields import VersionField, VNDateField, choices

STATUS_PAIRS = [
    ("not_started", _l("Chưa triển khai")),
    ("in_progress", _l("Đang thực hiện")),
    ("done", _l("Hoàn thành")),
]


class ProgressForm(FlaskForm):
    version = VersionField()
    status = SelectField(_l("Tình trạng"), choices=choices(STATUS_PAIRS))
    percent = IntegerField(
        _l("Tiến độ (%)"),
        validators=[
            InputRequired(_l("Nhập tiến độ từ 0 đến 100.")),
            NumberRange(0, 100, _l("Tiến độ phải từ %(min)s đến %(max)s%%.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
    )
    note = TextAreaField(
        _l("Nội dung báo cáo"), validators=[Length(max=4000)], render_kw={"rows": 4}
    )
    files = MultipleFileField(_l("Tệp minh chứng (PDF, Word, Excel, ảnh)"))


class ExtensionForm(FlaskForm):
    requested_due = VNDateField(
        _l("Đề nghị hạn mới"), validators=[DataRequired(_l("Nhập hạn mới đề nghị."))]
    )
    reason = TextAreaField(
        _l("Lý do"),
        validators=[DataRequired(_l("Nêu lý do xin gia hạn.")), Length(max=2000)],
        render_kw={"rows": 3},
    )


class DelegateForm(FlaskForm):
    units = SelectMultipleField(_l("Đơn vị cấp dưới"), coerce=int)
    due = VNDateField(_l("Hạn (để trống: theo hạn của nhiệm vụ)"), validators=[Optional()])


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Ý kiến"),
        validators=[DataRequired(_l("Nhập nội dung ý kiến.")), Length(max=4000)],
        render_kw={"rows": 2},
    )


class DecisionForm(FlaskForm):
    comment = TextAreaField(
        _l("Ý kiến (bắt buộc khi không đồng ý)"),
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
    )
    approve = SubmitField(_l("Đồng ý gia hạn"))
    refuse = SubmitField(_l("Không đồng ý"))


class BulkDecisionForm(FlaskForm):
    """The same decision and comment for every request ticked on the page."""

    ids = SelectMultipleField(coerce=str, validate_choice=False)
    comment = TextAreaField(
        _l("Ý kiến chung (bắt buộc khi không đồng ý)"),
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
    )
    approve = SubmitField(_l("Đồng ý các đề nghị đã đánh dấu"))
    refuse = SubmitField(_l("Không đồng ý các đề nghị đã đánh dấu"))


class UnitFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField(
        _l("Tình trạng"),
        choices=choices([("", _l("Tất cả")), *STATUS_PAIRS, ("cancelled", _l("Đã hủy"))]),
        validators=[Optional()],
    )
    notice = SelectField(_l("Thông báo"), coerce=str, validators=[Optional()])
    period = SelectField(_l("Kỳ"), coerce=str, validators=[Optional()])
    overdue = BooleanField(_l("Chỉ nhiệm vụ quá hạn"))
