"""An index for the rollups at a date: the state rows in force then, read from the index alone

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-05 12:10:00

A rollup of a province at a date D reads the state rows with valid_from <= D < valid_until.
This index is ordered by valid_until (rows closed before D are skipped; at today only the
current rows are read) and holds every column a rollup counts with, so PostgreSQL reads it
with an index-only scan and SQLite as a covering index. Partial: lead assignments that are not
delegated parts, the only ones figures count. See tracker/assignments/models.py.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    'valid_until',
    'valid_from',
    'unit_id',
    'task_id',
    'status',
    'due',
    'completed_on',
    'role',
    'parent_id',
]
COUNTED_ROWS = "role = 'lead' AND parent_id IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assignment_state_in_force',
            COLUMNS,
            unique=False,
            postgresql_where=sa.text(COUNTED_ROWS),
            sqlite_where=sa.text(COUNTED_ROWS),
        )


def downgrade() -> None:
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_state_in_force')
