"""Alembic environment: the schema is SQLModel's metadata; the URL comes from tracker.migrate."""

from alembic import context
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers every table on the metadata)
from tracker.db import make_engine
from tracker.search.schema import include_object

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=include_object,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, enforced=False)
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, enforced=True)


def _sqlite_foreign_keys(connection, *, enforced: bool) -> None:  # type: ignore[no-untyped-def]
    """Batch mode rebuilds a table by copy, drop and rename; with foreign keys enforced, SQLite
    refuses to drop a table other rows point at (any table holding data). So they are off for
    the migrations, as SQLite's documentation advises for such changes, and every reference is
    checked before they are on again. The pragma only works outside a transaction: it goes
    straight to the driver's connection, before Alembic's transaction and after its commit."""
    raw = connection.connection.dbapi_connection
    if enforced:
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left broken references: {broken[:5]}")
    raw.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
