"""Background notice imports: one row per upload being read, for its progress page

Revision ID: 0006
Revises: 0009
Create Date: 2026-12-05 09:05:25.974368
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notice_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason_vi', sa.Text(), nullable=True),
    sa.Column('reason_en', sa.Text(), nullable=True),
    sa.Column('conclusion_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'refused')", name=op.f('ck_notice_import_status_known')),
    sa.ForeignKeyConstraint(['conclusion_id'], ['conclusion.id'], name=op.f('fk_notice_import_conclusion_id_conclusion')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_notice_import_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_import'))
    )
    with op.batch_alter_table('notice_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_import_created_by_id'), ['created_by_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notice_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_import_created_by_id'))

    op.drop_table('notice_import')
