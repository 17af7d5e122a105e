"""The application factory, shared by the web server, the scheduler and the bots."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import error_pages, i18n, request_db
from tracker.accounts import passwords
from tracker.accounts import service as accounts
from tracker.config import PROJECT_ROOT, Settings, load_settings
from tracker.db import make_engine
from tracker.extensions import babel, csrf, login_manager
from tracker.inbox.views import unread_count as inbox_unread_count
from tracker.inputs import IdConverter
from tracker.navigation import nav_items
from tracker.parsing.readers.engines import formats_status

log = logging.getLogger(__name__)

# Browsers keep to HTTPS for a year once they have seen this (production only: it is served
# over HTTPS there, TRACKER_COOKIE_SECURE).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
# A strict policy works because every script and style is served from our own origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the Flask app from settings (by default, from the environment)."""
    settings = settings or load_settings(**overrides)
    app = Flask(
        "tracker",
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
        instance_path=str(settings.instance_path.resolve()),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.upload_max_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        # Signed-in sessions are permanent, re-signed on every request and refused by the
        # server once older than this: the idle limit (TRACKER_SESSION_IDLE_HOURS).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_idle_hours),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LANGUAGE,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        TESTING=settings.environment == "testing",
    )
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    app.extensions["tracker.settings"] = settings
    # Process-wide on purpose: services hash passwords without an application at hand.
    passwords.use(settings.password_hash)
    log.info("Khóa ký phiên đăng nhập / session secret: %s", settings.secret_source)
    log.info("Định dạng thông báo / notice formats: %s", formats_status())
    app.extensions["tracker.engine"] = make_engine(settings.database_url)

    if settings.trusted_proxies:
        # The client's address and scheme as the proxies we run say, never as a client claims.
        # (Wrapping wsgi_app is how Flask documents middleware; its typing calls it a method.)
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    request_db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    app.add_template_global(nav_items)
    app.add_template_global(inbox_unread_count, "inbox_unread_count")
    error_pages.init_app(app)
    # Before the blueprints: their `<int:id>` rules are compiled with the bounded converter.
    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)
    app.after_request(_security_headers)
    return app


@login_manager.user_loader
def _load_user(session_id: str) -> accounts.User | None:
    # Checked on every request: a session ended by sign-out or a password reset is refused.
    return accounts.user_for_session(request_db.db(), session_id)


def _register_blueprints(app: Flask) -> None:
    from bots.zalo.webhook import bp as zalo_bp
    from tracker.accounts.views import bp as accounts_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.assignments.views import bp as assignments_bp
    from tracker.chat.views import bp as chat_bp
    from tracker.chat.views import telegram_webhook
    from tracker.dashboard.views import bp as dashboard_bp
    from tracker.inbox.views import bp as inbox_bp
    from tracker.lists.views import bp as lists_bp
    from tracker.notices.views import bp as notices_bp
    from tracker.reminders.views import bp as reminders_bp
    from tracker.rollups.review_views import bp as reviews_bp
    from tracker.rollups.views import bp as rollups_bp
    from tracker.search.views import bp as search_bp

    for blueprint in (
        accounts_bp,
        dashboard_bp,
        admin_bp,
        reminders_bp,
        assignments_bp,
        notices_bp,
        rollups_bp,
        reviews_bp,
        chat_bp,
        search_bp,
        inbox_bp,
        lists_bp,
        zalo_bp,
    ):
        app.register_blueprint(blueprint)
    # Telegram proves itself with the webhook's secret-token header, not a CSRF token.
    csrf.exempt(telegram_webhook)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.extensions["tracker.settings"].is_production:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response
