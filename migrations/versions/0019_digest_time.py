"""A person's own digest time; the Telegram grants in flight every dispatcher counts

Revision ID: 0019
Revises: 0014
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'rate_grant',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('granted', sa.Float(), nullable=False),
        sa.Column('done', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_grant')),
    )
    op.create_index('ix_rate_grant_name_granted', 'rate_grant', ['name', 'granted'])
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_time', sa.Time(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('digest_time')
    op.drop_index('ix_rate_grant_name_granted', table_name='rate_grant')
    op.drop_table('rate_grant')
