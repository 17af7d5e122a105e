"""Settings, read from environment variables only (documented in README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
DEVELOPMENT_SECRET = "dev-only-secret-not-for-production"


class ConfigError(RuntimeError):
    """A setting that prevents the application from starting."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    timezone: str
    environment: str
    instance_path: Path
    upload_max_bytes: int
    login_max_failures: int
    login_window_minutes: int
    session_cookie_secure: bool

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} phải là số nguyên / must be an integer, got {raw!r}") from None


def load_settings(env: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build the settings from the environment; `overrides` win (tests, scripts)."""
    env = dict(os.environ if env is None else env)
    environment = str(overrides.pop("environment", env.get("TRACKER_ENV", "development")))
    if environment not in {"development", "production", "testing"}:
        raise ConfigError(
            f"TRACKER_ENV phải là development, production hoặc testing / got {environment!r}"
        )
    instance_path = Path(
        str(
            overrides.pop("instance_path", env.get("TRACKER_INSTANCE_PATH", "")) or DEFAULT_INSTANCE
        )
    )
    secret = str(overrides.pop("secret_key", env.get("TRACKER_SECRET_KEY", "")))
    if not secret:
        if environment == "production":
            raise ConfigError(
                "Thiếu TRACKER_SECRET_KEY: đặt một chuỗi ngẫu nhiên dài trước khi chạy ở chế độ "
                "production / TRACKER_SECRET_KEY is missing: set a long random string "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        secret = DEVELOPMENT_SECRET
    timezone = str(overrides.pop("timezone", env.get("TRACKER_TIMEZONE", "Asia/Ho_Chi_Minh")))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TRACKER_TIMEZONE không hợp lệ / unknown zone {timezone!r}") from None
    database_url = str(
        overrides.pop("database_url", env.get("TRACKER_DATABASE_URL", ""))
        or f"sqlite:///{instance_path / 'tracker.sqlite3'}"
    )
    settings = Settings(
        database_url=database_url,
        secret_key=secret,
        timezone=timezone,
        environment=environment,
        instance_path=instance_path,
        upload_max_bytes=_int(env, "TRACKER_UPLOAD_MAX_MB", 20) * 1024 * 1024,
        login_max_failures=_int(env, "TRACKER_LOGIN_MAX_FAILURES", 5),
        login_window_minutes=_int(env, "TRACKER_LOGIN_WINDOW_MINUTES", 15),
        session_cookie_secure=env.get("TRACKER_COOKIE_SECURE", "0") == "1"
        or environment == "production",
    )
    for name, value in overrides.items():
        if not hasattr(settings, name):
            raise ConfigError(f"unknown setting {name!r}")
        object.__setattr__(settings, name, value)
    return settings
