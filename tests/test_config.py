"""Settings come from the environment, and a production start without a secret is refused."""

import pytest

from tracker import create_app
from tracker.config import DEVELOPMENT_SECRET, ConfigError, load_settings


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings(env={})
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/tracker.sqlite3")
    assert settings.secret_key == DEVELOPMENT_SECRET


def test_environment_variables_are_read() -> None:
    settings = load_settings(
        env={
            "TRACKER_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "TRACKER_SECRET_KEY": "s3cret",
            "TRACKER_TIMEZONE": "Asia/Bangkok",
            "TRACKER_UPLOAD_MAX_MB": "5",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.secret_key == "s3cret"
    assert settings.timezone == "Asia/Bangkok"
    assert settings.upload_max_bytes == 5 * 1024 * 1024


def test_production_without_secret_is_a_clear_startup_error() -> None:
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY"):
        create_app(load_settings(env={"TRACKER_ENV": "production"}))


def test_production_with_secret_uses_secure_cookies() -> None:
    settings = load_settings(env={"TRACKER_ENV": "production", "TRACKER_SECRET_KEY": "x" * 40})
    assert settings.session_cookie_secure


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRACKER_TIMEZONE", "Mars/Olympus", "TRACKER_TIMEZONE"),
        ("TRACKER_UPLOAD_MAX_MB", "lots", "TRACKER_UPLOAD_MAX_MB"),
        ("TRACKER_ENV", "staging", "TRACKER_ENV"),
        ("TRACKER_TELEGRAM_PER_SECOND", "fast", "TRACKER_TELEGRAM_PER_SECOND"),
        ("TRACKER_TELEGRAM_PER_SECOND", "0", "TRACKER_TELEGRAM_PER_SECOND"),
        ("TRACKER_REMINDER_BEFORE_DUE", "7,ba,1", "TRACKER_REMINDER_BEFORE_DUE"),
        ("TRACKER_REMINDER_HOUR", "tám", "TRACKER_REMINDER_HOUR"),
        ("TRACKER_REMINDER_HOUR", "25", "TRACKER_REMINDER_HOUR"),
    ],
)
def test_bad_settings_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env={name: value})


def test_reminder_settings_are_read() -> None:
    settings = load_settings(
        env={
            "TRACKER_REMINDER_BEFORE_DUE": "1, 5,10",
            "TRACKER_REMINDER_OVERDUE_EVERY": "2",
            "TRACKER_TELEGRAM_PER_SECOND": "7",
            "TRACKER_TELEGRAM_TOKEN": "1:x",
        }
    )
    assert settings.reminders.before_due == (10, 5, 1)
    assert settings.reminders.overdue_every == 2
    assert settings.reminders.telegram_per_second == 7.0
    assert settings.channel_is_configured("telegram")
    assert not settings.channel_is_configured("zalo")
    assert not settings.channel_is_configured("email")
