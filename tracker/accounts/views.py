"""Sign in, sign out, choose the language."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.accounts import own, service
from tracker.accounts.forms import (
    ContactForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
)
from tracker.chat.views import render_profile
from tracker.errors import DomainError, RateLimited
from tracker.i18n import translate_error
from tracker.request_db import db

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the login page cannot be used to send people elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    settings = current_app.extensions["tracker.settings"]
    try:
        user = service.authenticate(
            db(),
            username=form.username.data or "",
            password=form.password.data or "",
            remote_addr=request.remote_addr or "",
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    except RateLimited as error:
        return render_template("accounts/login.html", form=form, error=translate_error(error)), 429
    except service.LoginRefused as error:
        # 200 on purpose: the failed attempt must be committed for the rate limit to count it.
        return render_template("accounts/login.html", form=form, error=translate_error(error))
    chosen = session.get("lang")
    session.clear()
    login_user(user)
    # The language the person keeps; else the one just chosen on the sign-in page.
    language = user.language or chosen
    if language:
        session["lang"] = language
    return redirect(_safe_next(form.next.data) or url_for("dashboard.home"))


@bp.post("/dang-xuat")
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/ngon-ngu")
def set_language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            own.set_language(db(), actor=current_user, language=form.lang.data)
    return redirect(_safe_next(form.next.data) or url_for("dashboard.home"))


@bp.post("/ho-so/mat-khau")
@login_required
def change_password() -> Response:
    """The person's own password; the current one is required."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_profile(status=400, password_form=form)
    try:
        user = own.change_password(
            db(),
            actor=current_user,
            current_password=form.current_password.data or "",
            new_password=form.new_password.data or "",
            confirmation=form.confirmation.data or "",
        )
    except DomainError as error:
        return render_profile(status=400, error=translate_error(error), password_form=form)
    # This browser stays signed in with the new password (sessions elsewhere are the ones
    # own.end_other_sessions ends).
    login_user(user)
    flash(_("Đã đổi mật khẩu. Lần đăng nhập sau, dùng mật khẩu mới."), "success")
    return redirect(url_for("chat.profile"))


@bp.post("/ho-so/lien-he")
@login_required
def change_contact() -> Response:
    """The person's own e-mail address and phone number."""
    form = ContactForm()
    if not form.validate_on_submit():
        return render_profile(status=400, contact_form=form)
    try:
        own.update_contact(
            db(), actor=current_user, email=form.email.data or "", phone=form.phone.data or ""
        )
    except DomainError as error:
        return render_profile(status=400, error=translate_error(error), contact_form=form)
    flash(_("Đã lưu thư điện tử và số điện thoại."), "success")
    return redirect(url_for("chat.profile"))
