"""Settings, read from environment variables only (documented in README.md)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.accounts import passwords
from tracker.parsing.limits import LimitError, ParseLimits, limits_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
# Values that once stood in this public source or its examples: anyone can sign a session with
# them, so they are refused everywhere but in the test suite.
KNOWN_PUBLIC_SECRETS = frozenset(
    {"dev-only-secret-not-for-production", "test-secret", "change-me", "secret", "dev"}
)
SECRET_FILE_NAME = "secret_key"
MIN_PRODUCTION_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """A setting that prevents the application from starting."""


def _days(env: dict[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise ConfigError(
            f"{name} phải là các số cách nhau bởi dấu phẩy / must be numbers like 7,3,1"
        ) from None


@dataclass(frozen=True)
class ReminderSettings:
    """When reminders go out (working days; see ../shared/docs/design.md)."""

    digest_hour: int = 8
    before_due: tuple[int, ...] = (7, 3, 1)
    overdue_every: int = 3
    escalate_after: int = 5
    # The unit's own head hears first (0: nobody between the officer and the board's head).
    escalate_unit_head_after: int = 3
    before_period: tuple[int, ...] = (3, 1)
    max_attempts: int = 8
    backoff_seconds: int = 30
    # For every dispatcher together (shared in PostgreSQL or Redis; SQLite: one dispatcher).
    telegram_per_second: float = 28.0
    telegram_per_chat_seconds: float = 1.0
    # Nothing is sent from quiet_start to quiet_end (local time; may span midnight); None: no
    # quiet hours. Digests and retries falling inside wait for quiet_end.
    quiet_start: time | None = time(21)
    quiet_end: time | None = time(7)


@dataclass(frozen=True)
class TelegramSettings:
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    bot_username: str = ""
    webhook_secret: str = ""
    timeout_seconds: float = 10.0

    @property
    def is_configured(self) -> bool:
        return bool(self.token)


@dataclass(frozen=True)
class ZaloSettings:
    app_id: str = ""
    app_secret: str = ""
    oa_secret: str = ""
    refresh_token: str = ""
    api_url: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    zns_url: str = "https://business.openapi.zalo.me"
    zns_template_id: str = ""
    interaction_window_days: int = 7
    timeout_seconds: float = 10.0

    @property
    def is_configured(self) -> bool:
        return bool(self.app_id and self.app_secret)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    username: str = ""
    password: str = ""
    sender: str = ""
    starttls: bool = True
    timeout_seconds: float = 20.0

    @property
    def is_configured(self) -> bool:
        return bool(self.host and self.sender)


@dataclass(frozen=True)
class ReportSettings:
    """What the review's Word report heading needs and the data cannot tell; empty values are
    left as dotted spaces for the office to fill in by hand."""

    place: str = ""  # địa danh of the date line ("Nghệ An")
    parent_body: str = ""  # cơ quan chủ quản above the board's name ("TỈNH ỦY NGHỆ AN")
    signer_title: str = ""  # "TRƯỞNG BAN", "KT. TRƯỞNG BAN / PHÓ TRƯỞNG BAN"
    signer_name: str = ""
    recipients: tuple[str, ...] = ()  # the "Nơi nhận" lines
    # "state": Nghị định 30/2020 (Quốc hiệu, "Số: …/BC-…"); "party": the Party's form of
    # Hướng dẫn 36-HD/VPTW ("ĐẢNG CỘNG SẢN VIỆT NAM", "Số …-BC/…"), for a board of a Party
    # committee such as a Ban Dân vận.
    form: str = "state"


REPORT_FORMS = ("state", "party")


# The environment variables that switch each reminder channel on (told when one is off).
CHANNEL_VARIABLES = {
    "telegram": "TRACKER_TELEGRAM_TOKEN",
    "zalo": "TRACKER_ZALO_APP_ID, TRACKER_ZALO_APP_SECRET",
    "email": "TRACKER_SMTP_HOST, TRACKER_SMTP_FROM",
}


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
    base_url: str = "http://127.0.0.1:5000"
    # Redis for the rate limit every dispatcher shares (else PostgreSQL's rate_bucket row).
    redis_url: str = ""
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: none,
    # the connection's own address counts).
    trusted_proxies: int = 0
    # A signed-in session ends after this many hours without a request.
    session_idle_hours: float = 12.0
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    zalo: ZaloSettings = field(default_factory=ZaloSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    parse_limits: ParseLimits = field(default_factory=ParseLimits)
    report: ReportSettings = field(default_factory=ReportSettings)
    # Where the session secret came from, for the start-up log (never the secret itself).
    secret_source: str = "TRACKER_SECRET_KEY"
    # How new passwords are hashed (tracker.accounts.passwords.METHODS).
    password_hash: str = passwords.DEFAULT
    # Dates outside these years are refused at input (see tracker.inputs).
    year_min: int = 2000
    year_max: int = 2100

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def channel_is_configured(self, channel: str) -> bool:
        """Whether reminders can go out on `channel` (one of CHANNEL_VARIABLES); the web inbox
        needs no settings and is always on."""
        if channel == "web":
            return True
        channels: dict[str, TelegramSettings | ZaloSettings | SmtpSettings] = {
            "telegram": self.telegram,
            "zalo": self.zalo,
            "email": self.smtp,
        }
        return channels[channel].is_configured


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} phải là số nguyên / must be an integer, got {raw!r}") from None


def _int_between(env: dict[str, str], name: str, default: int, *, low: int, high: int) -> int:
    value = _int(env, name, default)
    if not low <= value <= high:
        raise ConfigError(
            f"{name} phải từ {low} đến {high} / must be between {low} and {high}, got {value}"
        )
    return value


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
    secret, secret_source = _session_secret(
        environment,
        instance_path,
        str(overrides.pop("secret_key", env.get("TRACKER_SECRET_KEY", ""))),
    )
    timezone = _known_timezone(
        str(overrides.pop("timezone", env.get("TRACKER_TIMEZONE", "Asia/Ho_Chi_Minh")))
    )
    database_url = str(
        overrides.pop("database_url", env.get("TRACKER_DATABASE_URL", ""))
        or f"sqlite:///{instance_path / 'tracker.sqlite3'}"
    )
    settings = Settings(
        database_url=database_url,
        password_hash=_password_hash(
            environment, str(overrides.pop("password_hash", env.get("TRACKER_PASSWORD_HASH", "")))
        ),
        secret_key=secret,
        secret_source=secret_source,
        timezone=timezone,
        environment=environment,
        instance_path=instance_path,
        upload_max_bytes=_int(env, "TRACKER_UPLOAD_MAX_MB", 20) * 1024 * 1024,
        login_max_failures=_int(env, "TRACKER_LOGIN_MAX_FAILURES", 5),
        login_window_minutes=_int(env, "TRACKER_LOGIN_WINDOW_MINUTES", 15),
        session_cookie_secure=env.get("TRACKER_COOKIE_SECURE", "0") == "1"
        or environment == "production",
        year_min=_int(env, "TRACKER_YEAR_MIN", 2000),
        year_max=_int(env, "TRACKER_YEAR_MAX", 2100),
        base_url=env.get("TRACKER_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        redis_url=env.get("TRACKER_REDIS_URL", "").strip(),
        trusted_proxies=_int_between(env, "TRACKER_TRUSTED_PROXIES", 0, low=0, high=10),
        session_idle_hours=_int_between(env, "TRACKER_SESSION_IDLE_HOURS", 12, low=1, high=24 * 31),
        reminders=_reminder_settings(env),
        parse_limits=_parse_limits(env),
        report=_report_settings(env),
        telegram=_telegram_settings(env),
        zalo=_zalo_settings(env),
        smtp=_smtp_settings(env),
    )
    _check_year_range(settings)
    for name, value in overrides.items():
        if not hasattr(settings, name):
            raise ConfigError(f"unknown setting {name!r}")
        object.__setattr__(settings, name, value)
    return settings


def _known_timezone(timezone: str) -> str:
    """`timezone` itself, once the zone database knows it."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TRACKER_TIMEZONE không hợp lệ / unknown zone {timezone!r}") from None
    return timezone


def _check_year_range(settings: Settings) -> None:
    """Refuse a year range that is not increasing within 1900-9000."""
    if not 1900 <= settings.year_min < settings.year_max <= 9000:
        raise ConfigError(
            "TRACKER_YEAR_MIN / TRACKER_YEAR_MAX phải là hai năm tăng dần trong khoảng 1900–9000 "
            "/ must be increasing years within 1900-9000, "
            f"got {settings.year_min}-{settings.year_max}"
        )


def _telegram_settings(env: dict[str, str]) -> TelegramSettings:
    """The Telegram bot's token, API address, name and webhook secret."""
    return TelegramSettings(
        token=env.get("TRACKER_TELEGRAM_TOKEN", ""),
        base_url=env.get("TRACKER_TELEGRAM_BASE_URL", TelegramSettings.base_url),
        bot_username=env.get("TRACKER_TELEGRAM_BOT_USERNAME", ""),
        webhook_secret=env.get("TRACKER_TELEGRAM_WEBHOOK_SECRET", ""),
    )


def _zalo_settings(env: dict[str, str]) -> ZaloSettings:
    """The Zalo Official Account's credentials, API addresses and template."""
    return ZaloSettings(
        app_id=env.get("TRACKER_ZALO_APP_ID", ""),
        app_secret=env.get("TRACKER_ZALO_APP_SECRET", ""),
        oa_secret=env.get("TRACKER_ZALO_OA_SECRET", ""),
        refresh_token=env.get("TRACKER_ZALO_REFRESH_TOKEN", ""),
        api_url=env.get("TRACKER_ZALO_API_URL", ZaloSettings.api_url),
        oauth_url=env.get("TRACKER_ZALO_OAUTH_URL", ZaloSettings.oauth_url),
        zns_url=env.get("TRACKER_ZALO_ZNS_URL", ZaloSettings.zns_url),
        zns_template_id=env.get("TRACKER_ZALO_ZNS_TEMPLATE_ID", ""),
        interaction_window_days=_int(env, "TRACKER_ZALO_WINDOW_DAYS", 7),
    )


def _smtp_settings(env: dict[str, str]) -> SmtpSettings:
    """The SMTP server the e-mail reminders go through."""
    return SmtpSettings(
        host=env.get("TRACKER_SMTP_HOST", ""),
        port=_int(env, "TRACKER_SMTP_PORT", 587),
        username=env.get("TRACKER_SMTP_USER", ""),
        password=env.get("TRACKER_SMTP_PASSWORD", ""),
        sender=env.get("TRACKER_SMTP_FROM", ""),
        starttls=env.get("TRACKER_SMTP_STARTTLS", "1") == "1",
    )


def _password_hash(environment: str, given: str) -> str:
    """scrypt unless said otherwise; the test suite defaults to the cheap hash, production
    refuses it (a stolen database would give up its passwords in seconds)."""
    setting = given.strip() or ("fast" if environment == "testing" else passwords.DEFAULT)
    if setting not in passwords.METHODS:
        raise ConfigError(
            f"TRACKER_PASSWORD_HASH phải là một trong {sorted(passwords.METHODS)} / "
            f"must be one of {sorted(passwords.METHODS)}, got {setting!r}"
        )
    if environment == "production" and setting in passwords.UNSAFE_IN_PRODUCTION:
        raise ConfigError(
            f"TRACKER_PASSWORD_HASH={setting} chỉ dùng cho bộ kiểm thử, không dùng ở production: "
            "bỏ biến này để dùng scrypt / is for the test suite only: unset it in production "
            "(scrypt is the default)"
        )
    return setting


def _session_secret(environment: str, instance_path: Path, given: str) -> tuple[str, str]:
    """The key that signs sessions and CSRF tokens, and where it came from.

    Never a constant from the source: production must set one; the embedded install generates
    one on first start and keeps it in the instance folder (mode 0600); tests get a fresh one.
    """
    if given:
        if given in KNOWN_PUBLIC_SECRETS and environment != "testing":
            raise ConfigError(
                "TRACKER_SECRET_KEY là một giá trị công khai, ai cũng ký được phiên đăng nhập: "
                "đặt một chuỗi ngẫu nhiên dài hoặc bỏ trống để tự sinh / TRACKER_SECRET_KEY is a "
                "publicly known value: set a long random string, or leave it empty in development"
            )
        if environment == "production" and len(given) < MIN_PRODUCTION_SECRET_LENGTH:
            raise ConfigError(
                f"TRACKER_SECRET_KEY quá ngắn (cần ít nhất {MIN_PRODUCTION_SECRET_LENGTH} ký tự) "
                f"/ TRACKER_SECRET_KEY is too short (at least {MIN_PRODUCTION_SECRET_LENGTH} "
                "characters): python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return given, "TRACKER_SECRET_KEY"
    if environment == "production":
        raise ConfigError(
            "Thiếu TRACKER_SECRET_KEY: đặt một chuỗi ngẫu nhiên dài trước khi chạy ở chế độ "
            "production / TRACKER_SECRET_KEY is missing: set a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if environment == "testing":
        return secrets.token_urlsafe(48), "generated for this test process"
    path = instance_path / SECRET_FILE_NAME
    return _read_or_create_secret(path), str(path.resolve())


def _read_or_create_secret(path: Path) -> str:
    """The instance's own secret; created once, readable by its owner only."""
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"Không đọc được khóa bí mật {path} / cannot read the secret file: {error}"
        ) from None
    if len(existing) >= MIN_PRODUCTION_SECRET_LENGTH:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two processes starting at once must not each write their own key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if existing:  # a short or damaged file: replace it, keeping it private
            path.unlink()
            return _read_or_create_secret(path)
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def _parse_limits(env: dict[str, str]) -> ParseLimits:
    try:
        return limits_from_env(env)
    except LimitError as error:
        raise ConfigError(str(error)) from None


def _report_settings(env: dict[str, str]) -> ReportSettings:
    def text(name: str) -> str:
        return " ".join(env.get(name, "").split())[:200]

    recipients = tuple(
        line
        for line in (
            " ".join(part.split()) for part in env.get("TRACKER_REPORT_RECIPIENTS", "").split(";")
        )
        if line
    )
    form = env.get("TRACKER_REPORT_FORM", "state").strip().lower() or "state"
    if form not in REPORT_FORMS:
        raise ConfigError(
            "TRACKER_REPORT_FORM phải là 'state' (Nghị định 30) hoặc 'party' (Hướng dẫn 36 của "
            f"Đảng) / must be 'state' or 'party', got {form[:40]!r}"
        )
    return ReportSettings(
        form=form,
        place=text("TRACKER_REPORT_PLACE"),
        parent_body=text("TRACKER_REPORT_PARENT_BODY"),
        signer_title=text("TRACKER_REPORT_SIGNER_TITLE"),
        signer_name=text("TRACKER_REPORT_SIGNER_NAME"),
        recipients=recipients[:20],
    )


def _reminder_settings(env: dict[str, str]) -> ReminderSettings:
    defaults = ReminderSettings()
    hour = _int(env, "TRACKER_REMINDER_HOUR", defaults.digest_hour)
    if not 0 <= hour <= 23:
        raise ConfigError(f"TRACKER_REMINDER_HOUR phải từ 0 đến 23 / must be 0-23, got {hour}")
    escalate_after = _int(env, "TRACKER_REMINDER_ESCALATE_AFTER", defaults.escalate_after)
    unit_head_after = _int(
        env, "TRACKER_REMINDER_ESCALATE_UNIT_HEAD_AFTER", defaults.escalate_unit_head_after
    )
    if unit_head_after < 0 or (unit_head_after and unit_head_after >= escalate_after):
        raise ConfigError(
            "TRACKER_REMINDER_ESCALATE_UNIT_HEAD_AFTER phải từ 1 đến nhỏ hơn "
            f"TRACKER_REMINDER_ESCALATE_AFTER ({escalate_after}), hoặc 0 để bỏ bước này / must "
            f"be 1 to {escalate_after - 1}, or 0 to skip the unit head, got {unit_head_after}"
        )
    quiet_start, quiet_end = _quiet_hours(env, defaults)
    return ReminderSettings(
        digest_hour=hour,
        before_due=_days(env, "TRACKER_REMINDER_BEFORE_DUE", defaults.before_due),
        overdue_every=_int(env, "TRACKER_REMINDER_OVERDUE_EVERY", defaults.overdue_every),
        escalate_after=escalate_after,
        escalate_unit_head_after=unit_head_after,
        before_period=_days(env, "TRACKER_REMINDER_BEFORE_PERIOD", defaults.before_period),
        max_attempts=_int(env, "TRACKER_DISPATCH_MAX_ATTEMPTS", defaults.max_attempts),
        backoff_seconds=_int(env, "TRACKER_DISPATCH_BACKOFF_SECONDS", defaults.backoff_seconds),
        telegram_per_second=_positive_float(
            env, "TRACKER_TELEGRAM_PER_SECOND", defaults.telegram_per_second
        ),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )


def _quiet_hours(
    env: dict[str, str], defaults: ReminderSettings
) -> tuple[time | None, time | None]:
    """TRACKER_REMINDER_QUIET_HOURS: "21:00-07:00" (the default), or "off"."""
    raw = env.get("TRACKER_REMINDER_QUIET_HOURS", "").strip()
    if not raw:
        return defaults.quiet_start, defaults.quiet_end
    if raw.lower() in {"off", "0", "none", "khong"}:
        return None, None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ConfigError(
            "TRACKER_REMINDER_QUIET_HOURS phải có dạng 21:00-07:00 hoặc off / must look like "
            f"21:00-07:00 or be off, got {raw!r}"
        ) from None
    return start, end


def _positive_float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise ConfigError(f"{name} phải là số dương / must be a positive number, got {raw!r}")
    return value
