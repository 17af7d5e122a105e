"""evidence files and comments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:19:27.622413
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assignment_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_assignment_comment_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_assignment_comment_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_comment'))
    )
    with op.batch_alter_table('assignment_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_comment_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('evidence_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_evidence_file_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['report_id'], ['progress_report.id'], name=op.f('fk_evidence_file_report_id_progress_report')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_evidence_file_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_file_stored_name'))
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_report_id'), ['report_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_file_report_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_assignment_id'))

    op.drop_table('evidence_file')
    with op.batch_alter_table('assignment_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_comment_assignment_id'))

    op.drop_table('assignment_comment')
