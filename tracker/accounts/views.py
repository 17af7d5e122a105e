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
    username = form.username.data or ""
    with attempt() as outcome:
        user = service.authenticate(
            db(),
            username=username,
            password=form.password.data or "",
            remote_addr=request.remote_addr or "",
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    if isinstance(outcome.error, service.LoginRefused):
        # Its own transaction, on purpose: the refused sign-in is undone, its count must stay.
        with change():
            service.record_failed_login(
                db(), username=username, remote_addr=request.remote_addr or ""
            )
        return render_template(
            "accounts/login.html", form=form, error=translate_error(outcome.error)
        )
    if outcome.error is not None:  # rate limited
        return render_template(
            "accounts/login.html", form=form, error=translate_error(outcome.error)
        ), outcome.error.status_code
    session.clear()
    login_user(user)
    return redirect(same_site_path(form.next.data) or url_for("dashboard.home"))


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
    return redirect(same_site_path(form.next.data) or url_for("dashboard.home"))
