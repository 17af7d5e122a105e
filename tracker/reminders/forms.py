"""Forms of the reminders admin pages: filters, a test message, a retry, calendar exceptions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.fields import ChoiceField, VNDateField, choices
from tracker.i18n import channel_label
from tracker.notify.channels import NAMES as CHANNEL_NAMES

STATUS_LABELS = {
    "pending": _l("Chờ gửi"),
    "sending": _l("Đang gửi"),
    "sent": _l("Đã gửi"),
    "unconfirmed": _l("Chưa rõ đã đến (hết thời gian chờ)"),
    "failed": _l("Thất bại"),
}
CHANNEL_LABELS = {channel: channel_label(channel) for channel in CHANNEL_NAMES}
KIND_LABELS = {
    "digest": _l("Nhắc việc hằng ngày"),
    "test": _l("Tin thử"),
    # An event told at once: an inbox entry, an explanation request in the chat.
    "event": _l("Báo tin ngay"),
}
# A test message goes to a chat or a mailbox; the web inbox is written by the dispatcher.
TESTABLE_CHANNELS = {
    channel: label for channel, label in CHANNEL_LABELS.items() if channel != "web"
}


class MessageFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = ChoiceField(
        _l("Trạng thái"),
        choices=choices([("", _l("Tất cả")), *STATUS_LABELS.items()]),
        validators=[Optional()],
    )
    channel = ChoiceField(
        _l("Kênh"),
        choices=choices([("", _l("Tất cả")), *CHANNEL_LABELS.items()]),
        validators=[Optional()],
    )
    day = VNDateField(_l("Ngày nhắc"), validators=[Optional()])


class TestMessageForm(FlaskForm):
    user = SelectField(
        _l("Người nhận"),
        coerce=str,
        validate_choice=False,
        validators=[DataRequired(message=_l("Chọn người nhận tin thử."))],
    )
    channel = ChoiceField(_l("Kênh"), choices=choices(list(TESTABLE_CHANNELS.items())))


class RetryForm(FlaskForm):
    """Only the CSRF token: the message is in the URL."""


class CalendarDayForm(FlaskForm):
    day = VNDateField(
        _l("Ngày"),
        validators=[
            DataRequired(message=_l("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 30/04/2027."))
        ],
    )
    kind = ChoiceField(
        _l("Loại"),
        choices=choices(
            [
                ("off", _l("Ngày nghỉ thêm")),
                ("working", _l("Ngày làm bù (đi làm vào ngày nghỉ)")),
            ]
        ),
    )
    note = StringField(
        _l("Ghi chú"),
        validators=[Optional(), Length(max=255, message=_l("Ghi chú tối đa 255 ký tự."))],
    )


class RemoveCalendarDayForm(FlaskForm):
    """Only the CSRF token: the day is in the URL."""
