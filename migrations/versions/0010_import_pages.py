"""A notice import's page progress (scans are read page by page)

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-05 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notice_import') as batch:
        batch.add_column(sa.Column('pages_done', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('pages_total', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notice_import') as batch:
        batch.drop_column('pages_total')
        batch.drop_column('pages_done')
