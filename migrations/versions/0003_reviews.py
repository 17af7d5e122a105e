"""Quarter reviews: frozen figures, comments per unit, explanation requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:23:19.006448
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=True),
    sa.Column('is_frozen', sa.Boolean(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('is_frozen = false OR (frozen_at IS NOT NULL AND frozen_by_id IS NOT NULL AND meeting_on IS NOT NULL)', name=op.f('ck_review_frozen_is_recorded')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_review_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['user_account.id'], name=op.f('fk_review_frozen_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('period', name=op.f('uq_review_period'))
    )
    op.create_table('review_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_review_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_comment_review_id_review')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_review_comment_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comment')),
    sa.UniqueConstraint('review_id', 'unit_id', name='uq_review_comment_review_id_unit_id')
    )
    op.create_table('review_figure',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('done_on_time', sa.Integer(), nullable=False),
    sa.Column('done_late', sa.Integer(), nullable=False),
    sa.Column('in_progress', sa.Integer(), nullable=False),
    sa.Column('not_started', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_figure_review_id_review')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_review_figure_unit_id_unit')),
    sa.PrimaryKeyConstraint('review_id', 'unit_id', name=op.f('pk_review_figure'))
    )
    op.create_table('explanation_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(answer IS NULL AND answered_at IS NULL AND answered_by_id IS NULL) OR (answer IS NOT NULL AND answered_at IS NOT NULL AND answered_by_id IS NOT NULL)', name=op.f('ck_explanation_request_answer_is_complete')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_explanation_request_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_explanation_request_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_explanation_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_explanation_request_review_id_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explanation_request'))
    )
    with op.batch_alter_table('explanation_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_explanation_request_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_explanation_request_review_id'), ['review_id'], unique=False)

    op.create_table('review_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('is_carried_over', sa.Boolean(), nullable=False),
    sa.Column('latest_report', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_review_item_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_item_review_id_review')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_review_item_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_item')),
    sa.UniqueConstraint('review_id', 'assignment_id', name='uq_review_item_review_id_assignment_id')
    )
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_item_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index('ix_review_item_review_id_unit_id', ['review_id', 'unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.drop_index('ix_review_item_review_id_unit_id')
        batch_op.drop_index(batch_op.f('ix_review_item_assignment_id'))

    op.drop_table('review_item')
    with op.batch_alter_table('explanation_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_explanation_request_review_id'))
        batch_op.drop_index(batch_op.f('ix_explanation_request_assignment_id'))

    op.drop_table('explanation_request')
    op.drop_table('review_figure')
    op.drop_table('review_comment')
    op.drop_table('review')
