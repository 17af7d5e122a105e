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
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.accounts import service
from tracker.accounts.forms import LanguageForm, LoginForm, LogoutForm
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
    session.clear()
    login_user(user)
    session.permanent = True  # ends after TRACKER_SESSION_IDLE_HOURS without a request
    return redirect(same_site_path(form.next.data) or url_for("dashboard.home"))


@bp.post("/dang-xuat")
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Ends this person's every session, a copied cookie included, not only this one.
            with change():
                service.end_sessions(db(), user=current_user._get_current_object())  # type: ignore[attr-defined]
        logout_user()
        session.clear()
        flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/ngon-ngu")
def set_language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    return redirect(same_site_path(form.next.data) or url_for("dashboard.home"))
