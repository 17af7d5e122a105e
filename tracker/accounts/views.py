"""Sign in, sign out, choose the language."""

from __future__ import annotations

from datetime import timedelta

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
from tracker.i18n import translate_error
from tracker.redirects import same_site_path
from tracker.request_db import attempt, change, db

bp = Blueprint("accounts", __name__)


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    settings = current_app.extensions["tracker.settings"]
    with attempt() as outcome:
        user = service.authenticate(
            db(),
            username=form.username.data or "",
            password=form.password.data or "",
            remote_addr=request.remote_addr or "",
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    # The guess was counted by the throttle in a transaction of its own (on purpose: it must
    # stand although the refused sign-in is rolled back here).
    if isinstance(outcome.error, service.LoginRefused):
        return render_template(
            "accounts/login.html", form=form, error=translate_error(outcome.error)
        )
    if outcome.error is not None:  # rate limited
        return render_template(
            "accounts/login.html", form=form, error=translate_error(outcome.error)
        ), outcome.error.status_code
    chosen = session.get("lang")
    session.clear()
    login_user(user)
    session.permanent = True  # ends after TRACKER_SESSION_IDLE_HOURS without a request
    # The language the person keeps; else the one just chosen on the sign-in page.
    language = user.language or chosen
    if language:
        session["lang"] = language
    return redirect(same_site_path(form.next.data) or url_for("dashboard.home"))


@bp.post("/dang-xuat")
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Ends this person's every session, a copied cookie included, not only this one.
            with change():
                service.end_sessions(db(), user=current_user._get_current_object())
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
            with change():
                own.set_language(db(), actor=current_user, language=form.lang.data)
    return redirect(same_site_path(form.next.data) or url_for("dashboard.home"))


@bp.post("/ho-so/mat-khau")
@login_required
def change_password() -> Response:
    """The person's own password; the current one is required."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_profile(status=400, password_form=form)
    with attempt() as outcome:
        user = own.change_password(
            db(),
            actor=current_user,
            current_password=form.current_password.data or "",
            new_password=form.new_password.data or "",
            confirmation=form.confirmation.data or "",
        )
    if outcome.error is not None:
        return render_profile(
            status=outcome.error.status_code,
            error=translate_error(outcome.error),
            password_form=form,
        )
    # Every session signed in before has ended; this browser signs in again with the new
    # session version, so only the sessions elsewhere end.
    login_user(user)
    session.permanent = True
    flash(_("Đã đổi mật khẩu. Lần đăng nhập sau, dùng mật khẩu mới."), "success")
    return redirect(url_for("chat.profile"))


@bp.post("/ho-so/lien-he")
@login_required
def change_contact() -> Response:
    """The person's own e-mail address and phone number."""
    form = ContactForm()
    if not form.validate_on_submit():
        return render_profile(status=400, contact_form=form)
    with attempt() as outcome:
        own.update_contact(
            db(), actor=current_user, email=form.email.data or "", phone=form.phone.data or ""
        )
    if outcome.error is not None:
        return render_profile(
            status=outcome.error.status_code,
            error=translate_error(outcome.error),
            contact_form=form,
        )
    flash(_("Đã lưu thư điện tử và số điện thoại."), "success")
    return redirect(url_for("chat.profile"))
