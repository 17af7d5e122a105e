"""Assignment states by day: the figures at any past date (see tracker/assignments/asof.py)

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-05 09:20:00

Existing assignments get one state row, from the local day they were created (Asia/Ho_Chi_Minh,
UTC+7 without daylight saving) with their present state: the history of changes made before
this revision was not kept. A completion dated after a past day does not count on that day.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assignment_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('valid_from < valid_until', name=op.f('ck_assignment_state_range_not_empty')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_assignment_state_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_assignment_state_task_id_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_assignment_state_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_state'))
    )
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_state_assignment_id_valid_until', ['assignment_id', 'valid_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_state_task_id'), ['task_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        local_day = "CAST(timezone('Asia/Ho_Chi_Minh', created_at) AS date)"
    else:
        local_day = "date(created_at, '+7 hours')"
    op.execute(
        "INSERT INTO assignment_state (assignment_id, task_id, unit_id, role, parent_id, status, "
        "percent, due, completed_on, valid_from, valid_until, recorded_at) "
        "SELECT id, task_id, unit_id, role, parent_id, status, percent, due, completed_on, "
        f"{local_day}, DATE '9999-12-31', updated_at FROM assignment"
        if op.get_bind().dialect.name == 'postgresql' else
        "INSERT INTO assignment_state (assignment_id, task_id, unit_id, role, parent_id, status, "
        "percent, due, completed_on, valid_from, valid_until, recorded_at) "
        "SELECT id, task_id, unit_id, role, parent_id, status, percent, due, completed_on, "
        f"{local_day}, '9999-12-31', updated_at FROM assignment"
    )


def downgrade() -> None:
    with op.batch_alter_table('assignment_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_state_task_id'))
        batch_op.drop_index('ix_assignment_state_assignment_id_valid_until')

    op.drop_table('assignment_state')
