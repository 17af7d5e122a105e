"""Forms for importing a notice, editing its draft, and correcting a published task."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.fields import VersionField, VNDateField, choices

RECURRENCE_CHOICES = [
    ("", _l("Không lặp lại")),
    ("monthly", _l("Hằng tháng")),
    ("quarterly", _l("Hằng quý")),
    ("yearly", _l("Hằng năm")),
]


class ImportForm(FlaskForm):
    file = FileField(
        _l("Tệp thông báo (.docx, .doc, .odt, .pdf, .txt, hoặc bản quét .pdf/.png/.jpg/.tif)")
    )
    text = TextAreaField(
        _l("Hoặc dán nội dung thông báo"), validators=[Length(max=500_000)], render_kw={"rows": 8}
    )


class TaskRowForm(Form):
    task_id = HiddenField()
    code = StringField(_l("Mã"), validators=[Length(max=32)])
    text = TextAreaField(_l("Nội dung nhiệm vụ"), render_kw={"rows": 3})
    lead = SelectMultipleField(_l("Đơn vị chủ trì"), coerce=str, validate_choice=False)
    support = SelectMultipleField(_l("Đơn vị phối hợp"), coerce=str, validate_choice=False)
    due = VNDateField(_l("Hạn"), validators=[Optional()])
    recurrence = SelectField(_l("Định kỳ"), choices=choices(RECURRENCE_CHOICES))
    remove = BooleanField(_l("Bỏ dòng này"))
    reviewed = BooleanField(_l("Đã kiểm tra"))


class DraftForm(FlaskForm):
    version = VersionField()
    number = StringField(_l("Số thông báo"), validators=[Length(max=64)])
    title = TextAreaField(
        _l("Trích yếu"),
        validators=[DataRequired(_l("Nhập trích yếu.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    issued_on = VNDateField(_l("Ngày ban hành"), validators=[Optional()])
    # No maxlength: "Quý II/2021" is longer than its code, and the service turns it into one.
    period = StringField(
        _l("Kỳ (ví dụ Quý II/2021, 2021-Q2, 2021-H1, 2021)"), validators=[Length(max=40)]
    )
    default_due = VNDateField(_l("Hạn chung"), validators=[Optional()])
    rows = FieldList(FormField(TaskRowForm))
    # The pickers' filter for a browser without JavaScript: saves, then narrows every list.
    unit_filter = StringField(_l("Lọc danh sách đơn vị"), validators=[Length(max=80)])
    filter_units = SubmitField(_l("Lưu và lọc"))
    save = SubmitField(_l("Lưu nháp"))
    add_row = SubmitField(_l("Thêm nhiệm vụ"))
    publish = SubmitField(_l("Ban hành"))


class PublishForm(FlaskForm):
    """The confirmation screen's "Ban hành" button: for the version the secretary saw."""

    version = VersionField()


class MoveDueForm(FlaskForm):
    """Move every due date already past to one chosen date, before publishing."""

    version = VersionField()
    new_due = VNDateField(
        _l("Dời mọi hạn đã qua sang ngày"),
        validators=[DataRequired(_l("Nhập ngày mới (dd/mm/yyyy)."))],
    )


class WithdrawForm(FlaskForm):
    """The confirmed "Thu hồi" of a publication, for the version the secretary saw."""

    version = VersionField()


BULK_CHOICES = [
    ("shift", _l("Dời hạn thêm N ngày")),
    ("due", _l("Đặt hạn mới")),
    ("reassign", _l("Giao cho đơn vị chủ trì khác")),
]


class BulkForm(FlaskForm):
    """One change for every ticked assignment of a published notice, with one comment; the
    ticks ("pick", "<assignment id>:<version>") come from checkboxes beside each one."""

    action = RadioField(_l("Thay đổi"), choices=choices(BULK_CHOICES), default="shift")
    days = IntegerField(
        _l("Số ngày (âm để đưa hạn sớm lên)"),
        validators=[Optional(), NumberRange(min=-3650, max=3650)],
    )
    new_due = VNDateField(_l("Hạn mới"), validators=[Optional()])
    unit = SelectField(_l("Đơn vị chủ trì mới"), validate_choice=False)
    comment = TextAreaField(
        _l("Lý do (ghi vào lịch sử của từng nhiệm vụ)"),
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
    )


class DeleteDraftForm(FlaskForm):
    """Only the CSRF token: deleting a draft is one confirmed click."""


class CorrectTaskForm(FlaskForm):
    stamp = HiddenField(validators=[DataRequired()])
    text = TextAreaField(
        _l("Nội dung nhiệm vụ"), validators=[DataRequired()], render_kw={"rows": 4}
    )
    due = VNDateField(_l("Hạn"), validators=[DataRequired(_l("Nhập hạn hoàn thành."))])
    lead = SelectMultipleField(_l("Đơn vị chủ trì"), coerce=str, validate_choice=False)
    support = SelectMultipleField(_l("Đơn vị phối hợp"), coerce=str, validate_choice=False)
