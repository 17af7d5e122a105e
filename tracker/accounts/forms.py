"""Sign-in and the small forms every page carries (sign-out, language)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from tracker.i18n import LANGUAGES


class LoginForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[DataRequired(_l("Nhập tên đăng nhập.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "autofocus": True},
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Nhập mật khẩu.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    pass


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[AnyOf(list(LANGUAGES))])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(_l("Nhập mật khẩu bạn đang dùng.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Mật khẩu mới (ít nhất 8 ký tự)"),
        validators=[DataRequired(_l("Nhập mật khẩu mới.")), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirmation = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[DataRequired(_l("Nhập lại mật khẩu mới.")), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )


class ContactForm(FlaskForm):
    email = StringField(
        _l("Thư điện tử"),
        validators=[Length(max=255)],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"},
    )
    phone = StringField(
        _l("Số điện thoại"),
        validators=[Length(max=32)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
