"""The in-app inbox: inbox entries, the outbox's "web" channel, explanation requests grouped
into one request per unit

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS_BEFORE = "channel IN ('telegram', 'zalo', 'email')"
CHANNELS_AFTER = "channel IN ('telegram', 'zalo', 'email', 'web')"


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_message_channel_known'), type_='check')
        batch_op.create_check_constraint('channel_known', CHANNELS_AFTER)
    op.create_table(
        'inbox_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('outbox_message_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=32), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('link', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['outbox_message_id'], ['outbox_message.id'],
            name=op.f('fk_inbox_entry_outbox_message_id_outbox_message'),
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user_account.id'], name=op.f('fk_inbox_entry_user_id_user_account')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_entry')),
        sa.UniqueConstraint('outbox_message_id', name=op.f('uq_inbox_entry_outbox_message_id')),
    )
    op.create_index('ix_inbox_entry_user_id_read_at', 'inbox_entry', ['user_id', 'read_at'])
    op.create_index(
        'ix_inbox_entry_user_id_dismissed_at_id', 'inbox_entry', ['user_id', 'dismissed_at', 'id']
    )
    with op.batch_alter_table('explanation_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_explanation_request_batch_id'), ['batch_id'], unique=False
        )
    # Requests made before: each is its own request.
    op.execute("UPDATE explanation_request SET batch_id = id WHERE batch_id IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('explanation_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_explanation_request_batch_id'))
        batch_op.drop_column('batch_id')
    op.drop_index('ix_inbox_entry_user_id_dismissed_at_id', table_name='inbox_entry')
    op.drop_index('ix_inbox_entry_user_id_read_at', table_name='inbox_entry')
    op.drop_table('inbox_entry')
    op.execute("DELETE FROM outbox_message WHERE channel = 'web'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_message_channel_known'), type_='check')
        batch_op.create_check_constraint('channel_known', CHANNELS_BEFORE)
