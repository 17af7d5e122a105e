"""Migrations: from empty to head on each database, no drift from the models, and back down."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import tracker.models  # noqa: F401
from tests.conftest import BACKENDS
from tracker import migrate
from tracker.db import make_engine
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
