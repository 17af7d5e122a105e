"""Administration forms: accounts, the unit directory (a file, one unit, one group), the audit
trail's filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from tracker.fields import ChoiceField, VNDateField, choices

ROLE_CHOICES = [
    ("unit", _l("Đơn vị")),
    ("secretary", _l("Chuyên viên theo dõi")),
    ("head", _l("Lãnh đạo")),
    ("admin", _l("Quản trị")),
]


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=64)])
    full_name = StringField(_l("Họ tên"), validators=[DataRequired(), Length(max=255)])
    role = SelectField(_l("Vai trò"), choices=choices(ROLE_CHOICES))
    unit = SelectField(
        _l("Đơn vị (bắt buộc với vai trò Đơn vị)"), coerce=str, validate_choice=False
    )
    email = StringField(
        _l("Thư điện tử"),
        validators=[
            Optional(),
            Email(_l("Địa chỉ thư điện tử chưa đúng dạng, ví dụ: ten@coquan.gov.vn.")),
            Length(max=255),
        ],
    )
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=32)])
    password = PasswordField(
        _l("Mật khẩu (ít nhất 8 ký tự)"),
        validators=[DataRequired(), Length(min=8, max=256)],
        render_kw={"autocomplete": "new-password"},
    )


class EditUserForm(FlaskForm):
    full_name = StringField(_l("Họ tên"), validators=[DataRequired(), Length(max=255)])
    role = SelectField(_l("Vai trò"), choices=choices(ROLE_CHOICES))
    unit = SelectField(_l("Đơn vị"), coerce=str, validate_choice=False)
    is_active = BooleanField(_l("Cho phép đăng nhập"))
    is_unit_head = BooleanField(
        _l("Trưởng đơn vị (được báo khi nhiệm vụ của đơn vị quá hạn, trước lãnh đạo ban)")
    )
    new_password = PasswordField(
        _l("Đặt mật khẩu mới (để trống nếu giữ nguyên)"),
        validators=[Optional(), Length(min=8, max=256)],
        render_kw={"autocomplete": "new-password"},
    )


class DirectoryForm(FlaskForm):
    file = FileField(_l("Tệp danh mục đơn vị (Excel .xlsx hoặc .yaml)"))


def _required(message: str) -> DataRequired:
    return DataRequired(message=message)


class UnitForm(FlaskForm):
    code = StringField(
        _l("Mã đơn vị (chữ không dấu, số, '-', '_', '.')"),
        validators=[_required(_l("Nhập mã đơn vị, ví dụ BTG.")), Length(max=40)],
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    name = StringField(
        _l("Tên đơn vị"),
        validators=[_required(_l("Nhập tên đơn vị.")), Length(max=255)],
    )
    parent = ChoiceField(_l("Đơn vị cấp trên"))
    aliases = TextAreaField(
        _l("Tên gọi khác, mỗi tên một dòng (ví dụ tên viết tắt)"),
        validators=[Length(max=4000)],
        render_kw={"rows": 3},
    )
    is_active = BooleanField(
        _l("Đang sử dụng (bỏ chọn để ngừng dùng: đơn vị không bị xóa, lịch sử vẫn giữ)")
    )
    stamp = HiddenField()


class GroupForm(FlaskForm):
    code = StringField(
        _l("Mã nhóm (chữ không dấu, số, '-', '_', '.')"),
        validators=[_required(_l("Nhập mã nhóm, ví dụ CTXH.")), Length(max=40)],
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    name = StringField(
        _l("Tên nhóm"), validators=[_required(_l("Nhập tên nhóm.")), Length(max=255)]
    )
    aliases = TextAreaField(
        _l("Tên gọi khác, mỗi tên một dòng"), validators=[Length(max=4000)], render_kw={"rows": 2}
    )
    members = SelectMultipleField(
        _l("Thành viên"),
        coerce=str,
        validate_choice=False,
        validators=[_required(_l("Chọn ít nhất một đơn vị thành viên."))],
    )
    stamp = HiddenField()


class DeleteGroupForm(FlaskForm):
    confirm = BooleanField(
        _l("Tôi muốn xóa nhóm này"),
        validators=[_required(_l("Đánh dấu ô xác nhận nếu anh/chị muốn xóa nhóm này."))],
    )
    stamp = HiddenField()


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    person = ChoiceField(_l("Người thực hiện"), validators=[Optional()])
    action = ChoiceField(_l("Việc"), validators=[Optional()])
    since = VNDateField(_l("Từ ngày"), validators=[Optional()])
    until = VNDateField(_l("Đến ngày"), validators=[Optional()])
