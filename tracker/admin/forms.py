"""Administration forms: accounts and the unit directory file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from tracker.fields import choices

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
