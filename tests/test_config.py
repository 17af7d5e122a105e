"""Settings come from the environment, and a production start without a secret is refused."""

import stat
from pathlib import Path

import pytest
from flask import Flask

from tracker import config, create_app
from tracker.config import KNOWN_PUBLIC_SECRETS, ConfigError, load_settings


@pytest.fixture(autouse=True)
def _instance_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default instance folder, so no test leaves a secret file in the checkout."""
    monkeypatch.setattr(config, "DEFAULT_INSTANCE", tmp_path / "instance")


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings(env={})
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/tracker.sqlite3")


def test_embedded_install_generates_a_private_secret_and_keeps_it(tmp_path: Path) -> None:
    env = {"TRACKER_INSTANCE_PATH": str(tmp_path)}
    first = load_settings(env=env)
    secret_file = tmp_path / "secret_key"
    assert first.secret_key not in KNOWN_PUBLIC_SECRETS
    assert len(first.secret_key) >= 32
    assert secret_file.read_text().strip() == first.secret_key
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert first.secret_source == str(secret_file.resolve())
    # The next start signs with the same key, so sessions survive a restart.
    assert load_settings(env=env).secret_key == first.secret_key
    # Another installation gets another key.
    other = load_settings(env={"TRACKER_INSTANCE_PATH": str(tmp_path / "other")})
    assert other.secret_key != first.secret_key


def test_a_cookie_signed_with_the_old_public_constant_is_not_accepted(tmp_path: Path) -> None:
    app = create_app(load_settings(env={"TRACKER_INSTANCE_PATH": str(tmp_path)}))
    attacker = Flask("attacker")
    attacker.secret_key = "dev-only-secret-not-for-production"
    signer = app.session_interface.get_signing_serializer(attacker)  # type: ignore[attr-defined]
    forged = signer.dumps({"_user_id": "1", "_fresh": True})
    client = app.test_client()
    client.set_cookie("session", forged)
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("environment", ["development", "production"])
def test_a_publicly_known_secret_is_refused_outside_tests(environment: str) -> None:
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY"):
        load_settings(
            env={
                "TRACKER_ENV": environment,
                "TRACKER_SECRET_KEY": "dev-only-secret-not-for-production",
            }
        )


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY"):
        load_settings(env={"TRACKER_ENV": "production", "TRACKER_SECRET_KEY": "short"})


def test_start_up_log_names_where_the_secret_lives(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="tracker.app")
    create_app(load_settings(env={"TRACKER_INSTANCE_PATH": str(tmp_path)}))
    assert str((tmp_path / "secret_key").resolve()) in caplog.text


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
        ("TRACKER_PARSE_MEMORY_MB", "64", "TRACKER_PARSE_MEMORY_MB"),
        ("TRACKER_PARSE_MAX_PAGES", "²", "TRACKER_PARSE_MAX_PAGES"),
        ("TRACKER_PARSE_TIMEOUT_SECONDS", "-5", "TRACKER_PARSE_TIMEOUT_SECONDS"),
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


def test_the_escalation_chain_is_read_and_checked() -> None:
    env = {"TRACKER_REMINDER_ESCALATE_UNIT_HEAD_AFTER": "2", "TRACKER_REMINDER_ESCALATE_AFTER": "6"}
    reminders = load_settings(env=env).reminders
    assert (reminders.escalate_unit_head_after, reminders.escalate_after) == (2, 6)
    assert load_settings(env={}).reminders.escalate_unit_head_after == 3
    with pytest.raises(ConfigError, match="TRACKER_REMINDER_ESCALATE_UNIT_HEAD_AFTER"):
        load_settings(env={**env, "TRACKER_REMINDER_ESCALATE_UNIT_HEAD_AFTER": "6"})


def test_parse_caps_are_read_with_safe_defaults() -> None:
    defaults = load_settings(env={}).parse_limits
    assert (defaults.max_pages, defaults.memory_bytes) == (300, 1024 * 1024 * 1024)
    settings = load_settings(
        env={"TRACKER_PARSE_MAX_PAGES": "40", "TRACKER_PARSE_MAX_PART_MB": "2"}
    ).parse_limits
    assert (settings.max_pages, settings.max_part_bytes) == (40, 2 * 1024 * 1024)
    assert settings.cpu_seconds == defaults.cpu_seconds


def test_passwords_are_hashed_with_scrypt_unless_the_test_suite_says_otherwise() -> None:
    assert load_settings(env={}).password_hash == "scrypt"
    assert load_settings(env={"TRACKER_ENV": "testing"}).password_hash == "fast"
    production = {"TRACKER_ENV": "production", "TRACKER_SECRET_KEY": "x" * 40}
    assert load_settings(env=production).password_hash == "scrypt"


def test_production_refuses_the_cheap_password_hash() -> None:
    env = {
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": "x" * 40,
        "TRACKER_PASSWORD_HASH": "fast",
    }
    with pytest.raises(ConfigError, match=r"TRACKER_PASSWORD_HASH=fast .*production"):
        load_settings(env=env)


def test_an_unknown_password_hash_is_a_clear_startup_error() -> None:
    with pytest.raises(ConfigError, match=r"TRACKER_PASSWORD_HASH .*'md5'"):
        load_settings(env={"TRACKER_PASSWORD_HASH": "md5"})
