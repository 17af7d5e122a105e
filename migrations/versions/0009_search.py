"""Search: each dialect's full-text index over notices, tasks, reports, comments and units;
each person's interface language

SQLite: one contentless FTS5 table `search_index` (unicode61, remove_diacritics 2) kept by
triggers; its rowid is the source row's id * 8 + a kind number (1 notice, 2 task, 3 report,
4 comment, 5 unit); đ/Đ are folded to d/D by the triggers since unicode61 does not fold them.
PostgreSQL: a generated `search_vector` tsvector column on each source table, over the text
folded with translate() (no `unaccent` extension needed), with a GIN index.

The index objects are not in the SQLModel metadata: tracker.search.schema tells Alembic to
leave them alone. Note for later migrations on SQLite: a batch rebuild of one of these tables
drops its triggers; recreate them with the statements below.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-05 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept equal to tracker.search.folding by tests/search/test_folding.py.
VIETNAMESE_LETTERS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
ASCII_BASES = (
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    "AAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD"
)
# PostgreSQL's parser keeps "12-TB/TU" or "a.b" as one token; make them separate words.
PUNCTUATION = "-/._"

# (kind number, table, the text indexed as an SQL expression over {row}.column)
SOURCES = (
    (1, "conclusion", "coalesce({row}.number, '') || ' ' || coalesce({row}.title, '')"),
    (
        2,
        "task",
        "coalesce({row}.code, '') || ' ' || coalesce({row}.group_title, '') || ' ' "
        "|| coalesce({row}.text, '')",
    ),
    (3, "progress_report", "coalesce({row}.note, '')"),
    (4, "assignment_comment", "coalesce({row}.body, '')"),
    (5, "unit", "coalesce({row}.code, '') || ' ' || coalesce({row}.name, '')"),
)
WATCHED_COLUMNS = {
    "conclusion": "number, title",
    "task": "code, group_title, text",
    "progress_report": "note",
    "assignment_comment": "body",
    "unit": "code, name",
}


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for _kind, table, _text in SOURCES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
    else:
        for _kind, table, _text in SOURCES:
            for suffix in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_index")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("language")


def _postgres_upgrade() -> None:
    source = VIETNAMESE_LETTERS + PUNCTUATION
    target = ASCII_BASES + " " * len(PUNCTUATION)
    for _kind, table, text in SOURCES:
        folded = f"translate({text.format(row=table)}, '{source}', '{target}')"
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            f"(to_tsvector('simple'::regconfig, {folded})) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")


def _sqlite_folded(text: str, row: str) -> str:
    return f"replace(replace({text.format(row=row)}, 'đ', 'd'), 'Đ', 'D')"


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "body, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    for kind, table, text in SOURCES:
        key_new, key_old = f"new.id * 8 + {kind}", f"old.id * 8 + {kind}"
        insert = (
            f"INSERT INTO search_index(rowid, body) "
            f"VALUES ({key_new}, {_sqlite_folded(text, 'new')});"
        )
        delete = (
            f"INSERT INTO search_index(search_index, rowid, body) "
            f"VALUES ('delete', {key_old}, {_sqlite_folded(text, 'old')});"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {delete} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {WATCHED_COLUMNS[table]} "
            f"ON {table} BEGIN {delete} {insert} END"
        )
        op.execute(
            f"INSERT INTO search_index(rowid, body) "
            f"SELECT id * 8 + {kind}, {_sqlite_folded(text, table)} FROM {table}"
        )
