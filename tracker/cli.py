"""The `tracker` command: database, directory, users, demo data, and serving."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from tracker import create_app, migrate
from tracker.config import Settings
from tracker.db import unit_of_work
from tracker.errors import DomainError
from tracker.parsing.cli import parse_command
from tracker.units.directory import DirectoryError, read_directory

if TYPE_CHECKING:
    from werkzeug.local import LocalProxy

log = logging.getLogger(__name__)


def _app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=True)
def main() -> None:
    """Đôn Đốc: theo dõi, đôn đốc nhiệm vụ trong thông báo kết luận."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _settings() -> Settings:
    return current_app.extensions["tracker.settings"]


def _real_app() -> Flask:
    """The app behind `current_app`, for threads and schedulers that outlive the context."""
    # Flask types `current_app` as the app itself, hiding the proxy's own method.
    return cast("LocalProxy[Flask]", current_app)._get_current_object()


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


main.add_command(parse_command)


def _require_current_schema() -> None:
    if not migrate.is_current(_settings().database_url):
        _fail(
            "Cơ sở dữ liệu chưa được nâng cấp: chạy 'tracker db upgrade' trước. "
            "/ The database is not up to date: run 'tracker db upgrade' first."
        )


@main.group()
def db() -> None:
    """Cơ sở dữ liệu / database migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Nâng cấp CSDL lên phiên bản mới nhất / apply the migrations."""
    migrate.upgrade(_settings().database_url, revision)
    click.echo("Đã nâng cấp cơ sở dữ liệu / database upgraded.")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Hạ CSDL về một phiên bản (ví dụ: base) / revert migrations."""
    migrate.downgrade(_settings().database_url, revision)
    click.echo(f"Đã hạ cơ sở dữ liệu về {revision} / database downgraded.")


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Sinh một migration mới từ models (đọc và sửa trước khi commit)."""
    migrate.new_revision(_settings().database_url, message)


@main.group()
def units() -> None:
    """Danh mục đơn vị / unit directory."""


@units.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def units_load(path: str) -> None:
    """Nạp hoặc cập nhật danh mục đơn vị từ tệp YAML hoặc Excel (.xlsx) / load a directory."""
    from tracker.units.service import load_directory

    try:
        directory = read_directory(path)
    except DirectoryError as error:
        _fail(f"Không nạp được danh mục / directory refused: {error}")
        return
    try:
        with unit_of_work(current_app.extensions["tracker.engine"]) as session:
            summary = load_directory(session, actor=None, directory=directory)
    except DirectoryError as error:  # the file clashes with units it does not list
        _fail(f"Không nạp được danh mục / directory refused: {error}")
        return
    click.echo(
        f"Đơn vị: {len(summary.created)} thêm mới, {len(summary.updated)} cập nhật, "
        f"{summary.unchanged} không đổi. Nhóm: {len(summary.groups_created)} thêm mới, "
        f"{len(summary.groups_updated)} cập nhật."
    )
    if summary.not_in_file:
        click.echo(
            "Có trong CSDL nhưng không có trong tệp (giữ nguyên): " + ", ".join(summary.not_in_file)
        )


@main.group()
def users() -> None:
    """Tài khoản người dùng / user accounts."""


@users.command("create")
@click.option("--username", required=True, help="Tên đăng nhập")
@click.option("--full-name", required=True, help="Họ và tên")
@click.option("--role", required=True, type=click.Choice(["admin", "head", "secretary", "unit"]))
@click.option("--unit", "unit_code", default=None, help="Mã đơn vị (bắt buộc với vai trò unit)")
@click.option("--email", default=None)
@click.option("--phone", default=None)
@click.password_option("--password", help="Mật khẩu (hỏi nếu không nhập)")
@with_appcontext
def users_create(
    username: str,
    full_name: str,
    role: str,
    unit_code: str | None,
    email: str | None,
    phone: str | None,
    password: str,
) -> None:
    """Tạo tài khoản / create a user."""
    from tracker.accounts.service import create_user

    try:
        with unit_of_work(current_app.extensions["tracker.engine"]) as session:
            user = create_user(
                session,
                actor=None,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
                unit_code=unit_code,
                email=email,
                phone=phone,
            )
    except DomainError as error:
        _fail(f"Không tạo được tài khoản: {error}")
        return
    click.echo(f"Đã tạo tài khoản {user.username} ({role}).")


@main.command("demo")
@click.option("--force", is_flag=True, help="Cho phép nạp dữ liệu mẫu ở chế độ production.")
@with_appcontext
def demo(force: bool) -> None:
    """Nạp dữ liệu mẫu (chạy lại nhiều lần không sinh trùng) / load the demo data."""
    from tracker.demo import DEMO_PASSWORD, load_demo

    settings = _settings()
    if settings.is_production and not force:
        _fail("Không nạp dữ liệu mẫu vào hệ thống thật. Dùng --force nếu thật sự cần.")
        return
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    with unit_of_work(current_app.extensions["tracker.engine"]) as session:
        logins = load_demo(session, today=today, source_dir=settings.instance_path / "notices")
    click.echo(f"Dữ liệu mẫu đã sẵn sàng. Tài khoản đăng nhập (mật khẩu chung: {DEMO_PASSWORD}):")
    for login in logins:
        unit = f", đơn vị {login.unit_code}" if login.unit_code else ""
        click.echo(f"  {login.username:<10} vai trò {login.role}{unit}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="Không chạy bộ lập lịch trong tiến trình này.")
@click.option(
    "--no-dispatcher", is_flag=True, help="Không chạy bộ gửi tin nhắn trong tiến trình này."
)
@with_appcontext
def serve(host: str, port: int, no_scheduler: bool, no_dispatcher: bool) -> None:
    """Chạy web, bộ lập lịch và bộ gửi tin trong một tiến trình: bản cài đặt nhúng, SQLite."""
    from werkzeug.serving import run_simple

    from tracker.parsing.readers.engines import formats_status
    from tracker.reminders.runner import start_dispatcher_thread
    from tracker.scheduler import start_background_scheduler

    _require_current_schema()
    app = _real_app()
    scheduler = None if no_scheduler else start_background_scheduler(app)
    dispatcher = None if no_dispatcher else start_dispatcher_thread(app)
    click.echo(
        "Khóa ký phiên đăng nhập / session secret: "
        f"{app.extensions['tracker.settings'].secret_source}"
    )
    click.echo(f"Định dạng thông báo / notice formats: {formats_status()}")
    click.echo(f"Đôn Đốc đang chạy tại http://{host}:{port}  (Ctrl+C để dừng)")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if dispatcher is not None:
            thread, stop = dispatcher
            stop.set()
            thread.join(timeout=15)
        if scheduler is not None:
            scheduler.shutdown(wait=True)


@main.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Chạy riêng bộ lập lịch; chỉ một bộ chạy việc, bộ khác chờ thay / run the scheduler."""
    from tracker.scheduler import run_blocking_scheduler

    _require_current_schema()
    run_blocking_scheduler(_real_app())


@main.command("dispatcher")
@click.option("--until-idle", is_flag=True, help="Gửi hết tin đang đến hạn rồi dừng.")
@with_appcontext
def dispatcher_command(until_idle: bool) -> None:
    """Chạy một bộ gửi tin nhắn đến Ctrl+C; trên PostgreSQL chạy được nhiều bộ cùng lúc."""
    from tracker.reminders.runner import run_dispatcher_process

    _require_current_schema()
    run_dispatcher_process(
        _real_app(),
        until_idle=until_idle,
    )


@main.command("bot")
@click.option(
    "--mode",
    type=click.Choice(["polling", "webhook"]),
    default="polling",
    show_default=True,
    help="polling: chạy bot tới khi Ctrl+C; webhook: đăng ký webhook của web app rồi thoát.",
)
@with_appcontext
def bot_command(mode: str) -> None:
    """Chạy bot Telegram / run the Telegram bot."""
    settings = _settings()
    if not settings.telegram.is_configured:
        _fail(
            "Thiếu TRACKER_TELEGRAM_TOKEN: đặt mã bot do @BotFather cấp rồi chạy lại. "
            "/ TRACKER_TELEGRAM_TOKEN is missing: set the token @BotFather gave you."
        )
        return
    _require_current_schema()
    from bots.telegram.app import run_polling, set_webhook

    app = _real_app()
    if mode == "webhook":
        if not settings.telegram.webhook_secret:
            _fail(
                "Thiếu TRACKER_TELEGRAM_WEBHOOK_SECRET: web app từ chối webhook không có mã "
                "bí mật. / TRACKER_TELEGRAM_WEBHOOK_SECRET is missing: the web app refuses "
                "a webhook without it (letters, digits, _ and -)."
            )
            return
        url = set_webhook(app)
        click.echo(f"Đã đăng ký webhook Telegram: {url} (web app nhận tin) / webhook set.")
        return
    click.echo("Bot Telegram đang chạy (polling). Ctrl+C để dừng / polling, Ctrl+C to stop.")
    run_polling(app)


if __name__ == "__main__":
    main()
