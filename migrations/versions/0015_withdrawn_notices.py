"""A published notice can be withdrawn (within 24 hours, before any report): its status,
who withdrew it and when, and the new draft's link to it

Revision ID: 0015
Revises: 0018
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conclusion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revises_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_conclusion_withdrawn_by_id_user_account"),
            "user_account",
            ["withdrawn_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_conclusion_revises_id_conclusion"), "conclusion", ["revises_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_conclusion_status_known"), type_="check")
        batch_op.create_check_constraint(
            "status_known", "status IN ('draft', 'published', 'withdrawn')"
        )
    _restore_search_triggers()


def downgrade() -> None:
    # A withdrawn notice was published once: it reads as published again, its assignments
    # stay cancelled (nothing is lost, the older schema just has no word for it).
    op.execute("UPDATE conclusion SET status = 'published' WHERE status = 'withdrawn'")
    with op.batch_alter_table("conclusion", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_conclusion_status_known"), type_="check")
        batch_op.create_check_constraint("status_known", "status IN ('draft', 'published')")
        batch_op.drop_constraint(
            batch_op.f("fk_conclusion_revises_id_conclusion"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_conclusion_withdrawn_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("revises_id")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("withdrawn_by_id")
    _restore_search_triggers()


# SQLite rebuilds `conclusion` for the batch above, which drops the search index's triggers
# on it (migration 0009); they are created again, word for word. The index rows are kept.
_NOTICE_TEXT = (
    "replace(replace(coalesce({row}.number, '') || ' ' || coalesce({row}.title, ''), "
    "'đ', 'd'), 'Đ', 'D')"
)


def _restore_search_triggers() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    insert = (
        "INSERT INTO search_index(rowid, body) "
        f"VALUES (new.id * 8 + 1, {_NOTICE_TEXT.format(row='new')});"
    )
    delete = (
        "INSERT INTO search_index(search_index, rowid, body) "
        f"VALUES ('delete', old.id * 8 + 1, {_NOTICE_TEXT.format(row='old')});"
    )
    for suffix in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS search_conclusion_{suffix}")
    op.execute(
        f"CREATE TRIGGER search_conclusion_insert AFTER INSERT ON conclusion BEGIN {insert} END"
    )
    op.execute(
        f"CREATE TRIGGER search_conclusion_delete AFTER DELETE ON conclusion BEGIN {delete} END"
    )
    op.execute(
        "CREATE TRIGGER search_conclusion_update AFTER UPDATE OF number, title "
        f"ON conclusion BEGIN {delete} {insert} END"
    )
