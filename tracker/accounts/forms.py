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
