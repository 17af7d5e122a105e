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
    ],
)
def test_bad_settings_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env={name: value})
