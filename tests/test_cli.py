"""The `tracker` command line: db upgrade, units load, users create, demo."""

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import create_engine, inspect
from sqlmodel import Session, func, select

from tracker import migrate
from tracker.accounts.models import User
from tracker.assignments.models import Assignment
from tracker.audit.models import AuditEvent
from tracker.cli import main
from tracker.notices.models import Conclusion
from tracker.units.models import Unit


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    settings = app.extensions["tracker.settings"]
    env = {
        "TRACKER_DATABASE_URL": settings.database_url,
        "TRACKER_INSTANCE_PATH": str(settings.instance_path),
        "TRACKER_ENV": "testing",
    }
    return CliRunner().invoke(main, list(args), env=env, input=input)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Đã nâng cấp" in result.output
    assert "assignment" in inspect(create_engine(url)).get_table_names()


def test_units_load_is_idempotent(app: Flask, session: Session, tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(
        "units:\n  - code: A\n    name: Ban A\n  - code: B\n    name: Ban B\n    parent: A\n",
        encoding="utf-8",
    )
    first = run(app, "units", "load", str(path))
    assert first.exit_code == 0, first.output
    assert "2 thêm mới" in first.output
    second = run(app, "units", "load", str(path))
    assert "0 thêm mới, 0 cập nhật, 2 không đổi" in second.output
    assert count(session, Unit) == 2


def test_bad_directory_is_refused_with_line_and_nothing_written(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(
        "units:\n  - code: A\n    name: Ban A\n  - code: B\n    name: Ban B\n    parent: KHONGCO\n",
        encoding="utf-8",
    )
    result = run(app, "units", "load", str(path))
    assert result.exit_code == 2
    assert "dòng 4" in result.output and "KHONGCO" in result.output
    assert count(session, Unit) == 0


def test_users_create(app: Flask, session: Session, tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text("units:\n  - code: MTTQ\n    name: Ủy ban MTTQ tỉnh\n", encoding="utf-8")
    run(app, "units", "load", str(path))
    ok = run(
        app,
        "users",
        "create",
        "--username",
        "donvi",
        "--full-name",
        "Lê Văn A",
        "--role",
        "unit",
        "--unit",
        "MTTQ",
        "--password",
        "mat-khau-dai",
    )
    assert ok.exit_code == 0, ok.output
    user = session.exec(select(User).where(User.username == "donvi")).one()
    assert user.role == "unit" and user.unit_id is not None

    bad = run(
        app,
        "users",
        "create",
        "--username",
        "donvi2",
        "--full-name",
        "X",
        "--role",
        "unit",
        "--unit",
        "KHONGCO",
        "--password",
        "mat-khau-dai",
    )
    assert bad.exit_code == 2
    assert "Không có đơn vị mã 'KHONGCO'" in bad.output


def test_users_create_prompts_for_the_password(app: Flask, session: Session) -> None:
    result = run(
        app,
        "users",
        "create",
        "--username",
        "lanhdao",
        "--full-name",
        "Trần B",
        "--role",
        "head",
        input="mat-khau-dai\nmat-khau-dai\n",
    )
    assert result.exit_code == 0, result.output
    assert count(session, User) == 1


def test_demo_is_idempotent_and_prints_the_logins(app: Flask, session: Session) -> None:
    first = run(app, "demo")
    assert first.exit_code == 0, first.output
    for username in ("quantri", "lanhdao", "thuky", "mattran", "songlam"):
        assert username in first.output
    assert "dondoc-demo" in first.output
    counts = [count(session, model) for model in (User, Unit, Conclusion, Assignment, AuditEvent)]
    second = run(app, "demo")
    assert second.exit_code == 0, second.output
    assert [
        count(session, model) for model in (User, Unit, Conclusion, Assignment, AuditEvent)
    ] == counts


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_demo_is_refused_in_production(app: Flask) -> None:
    settings = app.extensions["tracker.settings"]
    result = CliRunner().invoke(
        main,
        ["demo"],
        env={
            "TRACKER_DATABASE_URL": settings.database_url,
            "TRACKER_ENV": "production",
            "TRACKER_SECRET_KEY": "x" * 40,
        },
    )
    assert result.exit_code == 2
    assert "--force" in result.output


def test_serve_refuses_an_outdated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(url, "0001")
    result = CliRunner().invoke(main, ["serve"], env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 2
    assert "tracker db upgrade" in result.output
