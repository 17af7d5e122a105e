"""Migrations: from empty to head on each database, no drift from the models, and back down."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

import tracker.models  # noqa: F401
from tests.conftest import BACKENDS
from tracker import migrate
from tracker.db import make_engine
from tracker.demo import load_demo
from tracker.search.schema import include_object


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_upgrade_matches_models_and_downgrade_removes_everything(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            assert compare_metadata(context, SQLModel.metadata) == []
            tables = set(inspect(connection).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables

        migrate.downgrade(empty_database_url, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(empty_database_url)
        with engine.connect() as connection:
            assert set(SQLModel.metadata.tables) <= set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_indexes_for_the_coming_queries_exist(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        indexes = {
            tuple(index["column_names"]) for index in inspect(engine).get_indexes("assignment")
        }
    finally:
        engine.dispose()
    assert ("unit_id", "status") in indexes
    assert ("due",) in indexes
    assert ("status", "due") in indexes


SEARCHED_TABLES = ("conclusion", "task", "progress_report", "assignment_comment", "unit")


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_the_search_index_survives_every_later_migration(empty_database_url: str) -> None:
    """A later migration that rebuilds a searched table (SQLite's batch mode) must keep the
    index's triggers (SQLite) or generated columns (PostgreSQL) on it; also after a round
    trip down to base and up again."""
    migrate.upgrade(empty_database_url)
    migrate.downgrade(empty_database_url, "base")
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                found = set(
                    connection.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                    ).scalars()
                )
                expected = {
                    f"search_{table}_{event}"
                    for table in SEARCHED_TABLES
                    for event in ("insert", "update", "delete")
                }
            else:
                found = {
                    table
                    for table in SEARCHED_TABLES
                    if "search_vector"
                    in {column["name"] for column in inspect(connection).get_columns(table)}
                }
                expected = set(SEARCHED_TABLES)
    finally:
        engine.dispose()
    assert expected <= found


ROWS_AT_0019 = [
    "INSERT INTO unit (id, code, name, aliases, is_active, created_at, updated_at) "
    "VALUES (1, 'U', 'Ban U', '[]', TRUE, :now, :now)",
    "INSERT INTO user_account (id, username, full_name, role, password_hash, is_active, "
    "created_at) VALUES (1, 'u', 'U', 'secretary', '!', TRUE, :now)",
    "INSERT INTO conclusion (id, title, parse_warnings, status, version, created_at, updated_at) "
    "VALUES (1, 'TB', '[]', 'draft', 1, :now, :now)",
    "INSERT INTO task (id, conclusion_id, position, code, text, needs_review, warnings, "
    "created_at, updated_at) VALUES (1, 1, 1, '1', 'Việc', FALSE, '[]', :now, :now)",
    "INSERT INTO task_unit (task_id, unit_id, role) VALUES (1, 1, 'lead')",
    "INSERT INTO assignment (id, task_id, unit_id, role, status, percent, version, created_at, "
    "updated_at) VALUES (1, 1, 1, 'lead', 'in_progress', 40, 1, :now, :now)",
    "INSERT INTO assignment_state (id, assignment_id, task_id, unit_id, role, status, percent, "
    "valid_from, valid_until, recorded_at) "
    "VALUES (1, 1, 1, 1, 'lead', 'in_progress', 40, '2026-01-05', '9999-12-31', :now)",
    "INSERT INTO progress_report (id, assignment_id, author_id, created_at, status_before, "
    "status_after, percent_before, percent_after, note) "
    "VALUES (1, 1, 1, :now, 'not_started', 'in_progress', 0, 40, 'Đang làm')",
]


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_dropping_the_assignment_role_keeps_every_assignment_and_its_history(
    empty_database_url: str,
) -> None:
    """0020 rebuilds `assignment` on SQLite while reports and state rows point at it: nothing
    is lost, and going back gives every assignment its old 'lead'."""
    migrate.upgrade(empty_database_url, "0019")
    engine = make_engine(empty_database_url)
    counted = (
        "SELECT (SELECT count(*) FROM assignment), (SELECT count(*) FROM assignment_state), "
        "(SELECT count(*) FROM progress_report), (SELECT percent FROM assignment)"
    )
    try:
        with engine.begin() as connection:
            for statement in ROWS_AT_0019:
                connection.execute(text(statement), {"now": datetime(2026, 1, 5, tzinfo=UTC)})
        migrate.upgrade(empty_database_url)
        with engine.connect() as connection:
            assert tuple(connection.execute(text(counted)).one()) == (1, 1, 1, 40)
            columns = {column["name"] for column in inspect(connection).get_columns("assignment")}
            assert "role" not in columns
        migrate.downgrade(empty_database_url, "0019")
        with engine.connect() as connection:
            assert tuple(connection.execute(text(counted)).one()) == (1, 1, 1, 40)
            roles = connection.execute(
                text("SELECT a.role, s.role FROM assignment a JOIN assignment_state s ON TRUE")
            ).one()
            assert tuple(roles) == ("lead", "lead")
    finally:
        engine.dispose()


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_this_sessions_migrations_go_down_and_up_again_with_the_demo_in_the_tables(
    empty_database_url: str, tmp_path: Path
) -> None:
    """Every migration since 0013 rebuilds or changes tables that hold data in a real
    installation (SQLite's batch mode copies, drops and renames them): with the demo's
    notice, reports, delegation, state rows and history in place they go down to 0013 and
    up again, and nothing is lost."""
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    counted = (
        "SELECT (SELECT count(*) FROM conclusion), (SELECT count(*) FROM task), "
        "(SELECT count(*) FROM assignment), (SELECT count(*) FROM assignment_state), "
        "(SELECT count(*) FROM progress_report), (SELECT count(*) FROM audit_event), "
        "(SELECT count(*) FROM extension_request)"
    )
    try:
        with Session(engine) as session:
            load_demo(session, today=date(2026, 11, 22), source_dir=tmp_path)
            session.commit()
        with engine.connect() as connection:
            before = tuple(connection.execute(text(counted)).one())
        assert min(before) > 0
        migrate.downgrade(empty_database_url, "0013")
        migrate.upgrade(empty_database_url)
        with engine.connect() as connection:
            assert tuple(connection.execute(text(counted)).one()) == before
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
