"""Assignments have no role: only lead units get one, so the column was always 'lead'

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 13:00:00

`assignment.role` and its copy `assignment_state.role` go. The rollups' covering partial index
(ix_assignment_state_in_force, migration 0014) held the column and filtered on it: it is made
again without it, partial on `parent_id IS NULL` alone (delegated parts count through their
parent). The support units of a task stay in `task_unit.role`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_assignment_state_in_force'
COLUMNS = ['valid_until', 'valid_from', 'unit_id', 'task_id', 'status', 'due', 'completed_on']
COUNTED_ROWS = "parent_id IS NULL"
OLD_COUNTED_ROWS = "role = 'lead' AND parent_id IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column('role')
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.create_index(
            INDEX,
            [*COLUMNS, 'parent_id'],
            unique=False,
            postgresql_where=sa.text(COUNTED_ROWS),
            sqlite_where=sa.text(COUNTED_ROWS),
        )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assignment_role_known'), type_='check')
        batch_op.drop_column('role')


def downgrade() -> None:
    # Every assignment was a lead one: the column comes back with that value.
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('role', sa.String(length=16), nullable=False, server_default='lead')
        )
        batch_op.create_check_constraint(
            op.f('ck_assignment_role_known'), "role IN ('lead', 'support')"
        )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('role', server_default=None)
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.add_column(
            sa.Column('role', sa.String(length=16), nullable=False, server_default='lead')
        )
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.alter_column('role', server_default=None)
        batch_op.create_index(
            INDEX,
            [*COLUMNS, 'role', 'parent_id'],
            unique=False,
            postgresql_where=sa.text(OLD_COUNTED_ROWS),
            sqlite_where=sa.text(OLD_COUNTED_ROWS),
        )
