"""The profile page (who I am, my chat links, a one-time link code) and the Telegram webhook."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser_session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from tracker.accounts import own
from tracker.accounts.forms import ContactForm, PasswordChangeForm
from tracker.accounts.models import ChatLink, Role
from tracker.chat import inbox, linking
from tracker.chat.forms import DigestTimeForm, LinkCodeForm, UnlinkForm
from tracker.config import Settings
from tracker.db import utcnow
from tracker.errors import N_, NotFound
from tracker.i18n import channel_label, translate_error
from tracker.request_db import attempt, change, db
from tracker.units.models import Unit

log = logging.getLogger(__name__)

bp = Blueprint("chat", __name__)

ROLE_LABELS = {
    Role.ADMIN: N_("Quản trị"),
    Role.HEAD: N_("Lãnh đạo"),
    Role.SECRETARY: N_("Chuyên viên theo dõi"),
    Role.UNIT: N_("Đơn vị"),
}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The code just issued, kept in the signed session cookie so the page can be reloaded (and
# reached again) without a new code silently replacing the one the person copied.
CODE_KEY = "chat.link_code"


def _settings() -> Settings:
    return current_app.extensions["tracker.settings"]


def chat_channels(settings: Settings) -> list[tuple[str, str, bool]]:
    """(channel, label, switched on) for each chat channel this installation may offer."""
    return [
        (channel, channel_label(channel), settings.channel_is_configured(channel))
        for channel in ("telegram", "zalo")
    ]


def qr_svg(link: str) -> Markup:
    """The link as a QR code, inline SVG drawn here (no image request, no script; the strict
    content security policy allows it): a phone's camera opens the bot with the code."""
    code = segno.make(link, error="m")
    return Markup(code.svg_inline(scale=5, border=2, dark="#000", light="#fff"))


def render_profile(
    issued: linking.IssuedCode | None = None,
    *,
    status: int = 200,
    error: str | None = None,
    **forms: object,
) -> Response:
    """The profile page; `forms` replaces a blank form (password_form, contact_form) with
    one that holds what was typed and its errors."""
    session = db()
    settings = _settings()
    unit = session.get(Unit, current_user.unit_id) if current_user.unit_id else None
    channels = chat_channels(settings)
    telegram_on = settings.channel_is_configured("telegram")
    # No code and no bot link for a channel that is not switched on.
    if not any(on for _channel, _label, on in channels):
        issued = None
    bot_username = settings.telegram.bot_username.lstrip("@") if telegram_on else ""
    deep_link = (
        f"https://t.me/{bot_username}?start={issued.code}" if issued and bot_username else None
    )
    links = linking.links_of(session, user_id=current_user.id)
    response = make_response(
        render_template(
            "chat/profile.html",
            unit=unit,
            role_label=ROLE_LABELS.get(current_user.role, current_user.role),
            links=links,
            unlink_forms={link.id: UnlinkForm(prefix=f"l{link.id}") for link in links},
            code_form=LinkCodeForm(),
            issued=issued,
            deep_link=deep_link,
            deep_link_qr=qr_svg(deep_link) if deep_link else None,
            bot_username=bot_username,
            channel_labels={link.channel: channel_label(link.channel) for link in links},
            channels=channels,
            telegram_on=telegram_on,
            zalo_on=settings.channel_is_configured("zalo"),
            any_chat_on=any(on for _channel, _label, on in channels),
            email_on=settings.channel_is_configured("email"),
            password_form=forms.get("password_form") or PasswordChangeForm(),
            contact_form=forms.get("contact_form")
            or ContactForm(email=current_user.email or "", phone=current_user.phone or ""),
            digest_form=forms.get("digest_form")
            or DigestTimeForm(
                digest_time=f"{current_user.digest_time:%H:%M}" if current_user.digest_time else ""
            ),
            default_digest_time=f"{settings.reminders.digest_hour:02d}:00",
            quiet_hours=_quiet_hours(settings),
            error=error,
        ),
        status,
    )
    # The code is a secret for 15 minutes: keep it out of caches and the back button.
    response.headers["Cache-Control"] = "no-store"
    return response


def _quiet_hours(settings: Settings) -> str | None:
    start, end = settings.reminders.quiet_start, settings.reminders.quiet_end
    return f"{start:%H:%M}–{end:%H:%M}" if start and end and start != end else None


def _page(issued: linking.IssuedCode | None = None) -> Response:
    return render_profile(issued)


def _kept_code() -> linking.IssuedCode | None:
    """The code issued in this browser, while it can still link a chat."""
    kept = browser_session.get(CODE_KEY)
    if not kept:
        return None
    issued = linking.IssuedCode(
        code=kept["code"],
        expires_at=datetime.fromisoformat(kept["expires_at"]),
        link_code_id=kept["id"],
    )
    if not linking.code_is_usable(
        db(), user_id=current_user.id, link_code_id=issued.link_code_id, now=utcnow()
    ):
        browser_session.pop(CODE_KEY, None)
        return None
    return issued


@bp.route("/ho-so")
@login_required
def profile() -> Response:
    return _page(_kept_code())


@bp.post("/ho-so/ma-lien-ket")
@login_required
def new_code() -> Response:
    if not LinkCodeForm().validate_on_submit():
        flash(_("Chưa lấy được mã: tải lại trang và bấm lại."), "error")
        return redirect(url_for(".profile"))
    if not any(on for _channel, _label, on in chat_channels(_settings())):
        flash(
            _("Nhắc việc qua Telegram và Zalo chưa bật ở hệ thống này: chưa cần mã liên kết."),
            "error",
        )
        return redirect(url_for(".profile"))
    with change():
        issued = linking.issue_link_code(db(), actor=current_user, now=utcnow())
    browser_session[CODE_KEY] = {
        "code": issued.code,
        "expires_at": issued.expires_at.isoformat(),
        "id": issued.link_code_id,
    }
    return redirect(url_for(".profile"))


@bp.post("/ho-so/gio-nhac")
@login_required
def change_digest_time() -> Response:
    """The hour the person's daily digest leaves."""
    form = DigestTimeForm()
    if not form.validate_on_submit():
        return render_profile(status=400, digest_form=form)
    with attempt() as outcome:
        own.set_digest_time(
            db(),
            actor=current_user,
            value=form.digest_time.data or "",
            reminders=_settings().reminders,
        )
    if outcome.error is not None:
        return render_profile(
            status=outcome.error.status_code,
            error=translate_error(outcome.error),
            digest_form=form,
        )
    flash(_("Đã lưu giờ nhận nhắc việc."), "success")
    return redirect(url_for(".profile"))


@bp.post("/ho-so/lien-ket/<int:link_id>/huy")
@login_required
def unlink(link_id: int) -> Response:
    link = db().get(ChatLink, link_id)
    if link is None or link.user_id != current_user.id:
        raise NotFound(N_("Không tìm thấy liên kết này trong hồ sơ của bạn."))
    if not UnlinkForm(prefix=f"l{link_id}").validate_on_submit():
        flash(_("Chưa hủy được liên kết: tải lại trang và bấm lại."), "error")
    elif not link.is_active:
        flash(_("Liên kết này đã ngừng từ trước."), "info")
    else:
        with change():
            linking.unlink(db(), channel=link.channel, external_id=link.external_id, now=utcnow())
        flash(
            _(
                "Đã hủy liên kết %(channel)s: tài khoản đó sẽ không nhận nhắc việc nữa.",
                channel=channel_label(link.channel),
            ),
            "success",
        )
    return redirect(url_for(".profile"))


@bp.post("/telegram/webhook")
def telegram_webhook() -> Response:
    """Telegram posts each update here (webhook mode); the secret token proves it is Telegram."""
    telegram = _settings().telegram
    given = request.headers.get(SECRET_HEADER, "")
    if not (telegram.is_configured and telegram.webhook_secret) or not hmac.compare_digest(
        given.encode(), telegram.webhook_secret.encode()
    ):
        log.warning(
            "telegram webhook refused from %s: wrong or missing secret", request.remote_addr
        )
        return Response("forbidden\n", 403, mimetype="text/plain")
    payload = request.get_json(silent=True)
    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    # Every update has a whole-number update_id: it is what repeats are recognised by.
    if (
        not isinstance(payload, dict)
        or not isinstance(update_id, int)
        or isinstance(update_id, bool)
        or not 0 <= update_id < 2**53
    ):
        return Response("not a Telegram update\n", 400, mimetype="text/plain")
    # Stored and answered at once: the dispatcher's inbox worker handles it (a slow or
    # rate-limiting Telegram never holds a web worker). A resent update waiting already is
    # stored once; one handled already is ignored by its handling (webhook_event).
    with change():
        inbox.store(db(), update_id=update_id, payload=payload, now=utcnow())
    return Response("ok\n", 200, mimetype="text/plain")
