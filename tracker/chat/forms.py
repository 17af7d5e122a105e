"""The profile page's small forms: ask for a link code, unlink a chat account."""

from flask_wtf import FlaskForm


class LinkCodeForm(FlaskForm):
    """ "Lấy mã liên kết": a button, with the CSRF token."""


class UnlinkForm(FlaskForm):
    """ "Hủy liên kết" beside one of the person's chat accounts."""
