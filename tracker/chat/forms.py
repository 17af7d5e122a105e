"""The profile page's small forms: ask for a link code, unlink a chat account, choose the
hour of the daily digest."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class LinkCodeForm(FlaskForm):
    """ "Lấy mã liên kết": a button, with the CSRF token."""


class UnlinkForm(FlaskForm):
    """ "Hủy liên kết" beside one of the person's chat accounts."""


class DigestTimeForm(FlaskForm):
    """ "Giờ nhận nhắc việc": the person's own time (empty: the installation's hour)."""

    digest_time = StringField(
        _l("Giờ nhận nhắc việc hằng ngày"),
        validators=[Length(max=8)],
        render_kw={"type": "time", "step": 900},
    )
