"""Shared fixtures: every database test runs on SQLite and, when reachable, on PostgreSQL.

Each test session creates its own PostgreSQL database (and drops it at the end), so parallel
runs never collide; each test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session, SQLModel

import tracker.models  # noqa: F401  (the whole schema, for cleaning tables)
from tracker import create_app, migrate

POSTGRES_URL = os.environ.get(
    "TRACKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


def _postgres_problem() -> str | None:
    """None when PostgreSQL answers, else why not."""
    url = make_url(POSTGRES_URL)
    try:
        with psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False),
            connect_timeout=3,
        ):
            return None
    except Exception as error:  # any failure to connect means: skip, and say why
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"


POSTGRES_PROBLEM = _postgres_problem()
POSTGRES_SKIP_REASON = (
    f"PostgreSQL not reachable at {make_url(POSTGRES_URL).render_as_string()} "
    f"({POSTGRES_PROBLEM}); set TRACKER_TEST_POSTGRES_URL to run the PostgreSQL tests"
)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if POSTGRES_PROBLEM is None:
        return [f"database tests: SQLite and PostgreSQL ({make_url(POSTGRES_URL)})"]
    return [f"database tests: SQLite only. PostgreSQL SKIPPED: {POSTGRES_SKIP_REASON}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if POSTGRES_PROBLEM is not None:
        terminalreporter.write_line(
            f"NOTE: PostgreSQL tests were SKIPPED: {POSTGRES_SKIP_REASON}", yellow=True, bold=True
        )


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


class _PostgresDatabases:
    """Creates uniquely named databases on the test server and drops them afterwards."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        url = make_url(POSTGRES_URL).set(drivername="postgresql")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def create(self) -> str:
        name = f"tracker_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self._admin() as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_PostgresDatabases]:
    databases = _PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: _PostgresDatabases
) -> str:
    """A brand-new empty database of the requested backend (no migrations applied)."""
    backend = request.param
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    if POSTGRES_PROBLEM is not None:
        pytest.skip(POSTGRES_SKIP_REASON)
    return postgres_databases.create()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: _PostgresDatabases,
) -> str:
    """A migrated database for this session, one per backend.

    pytest sets this fixture up again each time the tests switch backend (a test process of
    `make test` switches often); the database made the first time is used again."""
    backend = request.param
    if backend == "postgresql" and POSTGRES_PROBLEM is not None:
        pytest.skip(POSTGRES_SKIP_REASON)
    if backend not in _MIGRATED_DATABASES:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tracker.sqlite3'}"
        else:
            url = postgres_databases.create()
        migrate.upgrade(url)
        _MIGRATED_DATABASES[backend] = url
    return _MIGRATED_DATABASES[backend]


_MIGRATED_DATABASES: dict[str, str] = {}


# Every test builds its own application, but two things it would rebuild are the same for all
# of them and cost most of a short test: the engine of the session's database (SQLAlchemy keeps
# its compiled statements per engine) and the compiled templates. Both are kept for the process.
_SHARED_ENGINES: dict[str, Engine] = {}


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept in memory across applications (checked by source hash)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


@pytest.fixture(scope="session", autouse=True)
def _dispose_shared_engines() -> Iterator[None]:
    yield
    for shared in _SHARED_ENGINES.values():
        shared.dispose()


def _empty_tables(engine: Engine) -> None:
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as connection:
        # DELETE on these small tables is many times faster than TRUNCATE (which costs about
        # 0.4 s for the schema on PostgreSQL), and the ids restart as TRUNCATE ... RESTART
        # IDENTITY would make them.
        for table in tables:
            connection.execute(table.delete())
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'")
            )


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on a clean database; tables are emptied after the test."""
    application = create_app(
        environment="testing",
        database_url=database_url,
        instance_path=tmp_path / "instance",
        secret_key="test-secret",
    )
    application.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    if database_url in _MIGRATED_DATABASES.values():
        own_engine: Engine = application.extensions["tracker.engine"]
        own_engine.dispose()  # never connected: the session's engine takes its place
        shared = _SHARED_ENGINES.setdefault(database_url, own_engine)
        application.extensions["tracker.engine"] = shared
    yield application
    engine: Engine = application.extensions["tracker.engine"]
    _empty_tables(engine)
    if database_url not in _MIGRATED_DATABASES.values():
        engine.dispose()


@pytest.fixture
def engine(app: Flask) -> Engine:
    return app.extensions["tracker.engine"]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session for arranging data and calling services directly; the test commits."""
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def shared_corpus() -> Path:
    corpus = SHARED_DIR / "corpus"
    if not corpus.is_dir():
        pytest.skip(
            f"../shared/corpus not found at {corpus}: shared corpus tests need it beside the repo"
        )
    return corpus


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where a run keeps what people look at afterwards (screenshots): test-output/ by default."""
    root = Path(
        os.environ.get("TRACKER_TEST_OUTPUT", Path(__file__).resolve().parents[1] / "test-output")
    )
    root.mkdir(parents=True, exist_ok=True)
    return root
