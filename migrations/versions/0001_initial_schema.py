"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 04:02:11.682034
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_remote_addr_attempted_at', ['remote_addr', 'attempted_at'], unique=False)
        batch_op.create_index('ix_login_attempt_username_attempted_at', ['username', 'attempted_at'], unique=False)

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('unit_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_group')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_group_code'))
    )
    op.create_table('unit_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['unit_group.id'], name=op.f('fk_unit_group_member_group_id_unit_group')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_group_member_unit_id_unit')),
    sa.PrimaryKeyConstraint('group_id', 'unit_id', name=op.f('pk_unit_group_member'))
    )
    with op.batch_alter_table('unit_group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_group_member_unit_id'), ['unit_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role <> 'unit' OR unit_id IS NOT NULL", name=op.f('ck_user_account_unit_user_has_unit')),
    sa.CheckConstraint("role IN ('admin', 'head', 'secretary', 'unit')", name=op.f('ck_user_account_role_known')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_user_account_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_unit_id'), ['unit_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_event_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('chat_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inactive_reason', sa.String(length=255), nullable=True),
    sa.CheckConstraint("channel IN ('telegram', 'zalo')", name=op.f('ck_chat_link_channel_known')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_chat_link_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_link')),
    sa.UniqueConstraint('channel', 'external_id', name='uq_chat_link_channel_external_id')
    )
    with op.batch_alter_table('chat_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_link_user_id'), ['user_id'], unique=False)

    op.create_table('conclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('issuer_unit_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('period', sa.String(length=10), nullable=True),
    sa.Column('default_due', sa.Date(), nullable=True),
    sa.Column('source_filename', sa.String(length=255), nullable=True),
    sa.Column('source_path', sa.String(length=512), nullable=True),
    sa.Column('source_sha256', sa.String(length=64), nullable=True),
    sa.Column('parse_warnings', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status <> 'published' OR (published_at IS NOT NULL AND published_by_id IS NOT NULL)", name=op.f('ck_conclusion_published_has_publisher')),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_conclusion_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_conclusion_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['issuer_unit_id'], ['unit.id'], name=op.f('fk_conclusion_issuer_unit_id_unit')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_conclusion_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conclusion'))
    )
    with op.batch_alter_table('conclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conclusion_issuer_unit_id'), ['issuer_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conclusion_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_conclusion_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_conclusion_status'), ['status'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conclusion_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('group_title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('recurrence', sa.String(length=16), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("recurrence IS NULL OR recurrence IN ('monthly', 'quarterly', 'yearly')", name=op.f('ck_task_recurrence_known')),
    sa.ForeignKeyConstraint(['conclusion_id'], ['conclusion.id'], name=op.f('fk_task_conclusion_id_conclusion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task'))
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_conclusion_id'), ['conclusion_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'support')", name=op.f('ck_assignment_role_known')),
    sa.CheckConstraint("status <> 'cancelled' OR cancelled_reason IS NOT NULL", name=op.f('ck_assignment_cancelled_has_reason')),
    sa.CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name=op.f('ck_assignment_done_has_date')),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'cancelled')", name=op.f('ck_assignment_status_known')),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_assignment_percent_range')),
    sa.ForeignKeyConstraint(['parent_id'], ['assignment.id'], name=op.f('fk_assignment_parent_id_assignment')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_assignment_task_id_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_assignment_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('task_id', 'unit_id', name='uq_assignment_task_id_unit_id')
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_assignment_status_due', ['status', 'due'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_task_id'), ['task_id'], unique=False)
        batch_op.create_index('ix_assignment_unit_id_status', ['unit_id', 'status'], unique=False)

    op.create_table('task_unit',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'support')", name=op.f('ck_task_unit_role_known')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_unit_task_id_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_task_unit_unit_id_unit')),
    sa.PrimaryKeyConstraint('task_id', 'unit_id', name=op.f('pk_task_unit'))
    )
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_unit_unit_id'), ['unit_id'], unique=False)

    op.create_table('extension_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('current_due', sa.Date(), nullable=True),
    sa.Column('requested_due', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.CheckConstraint("status = 'pending' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)", name=op.f('ck_extension_request_decision_recorded')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_extension_request_status_known')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_extension_request_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_extension_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_extension_request_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_request'))
    )
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_request_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_request_status'), ['status'], unique=False)

    op.create_table('progress_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_before', sa.String(length=16), nullable=False),
    sa.Column('status_after', sa.String(length=16), nullable=False),
    sa.Column('percent_before', sa.Integer(), nullable=False),
    sa.Column('percent_after', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_progress_report_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_progress_report_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_report'))
    )
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_report_assignment_id'), ['assignment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_report_assignment_id'))

    op.drop_table('progress_report')
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_request_status'))
        batch_op.drop_index(batch_op.f('ix_extension_request_assignment_id'))

    op.drop_table('extension_request')
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_unit_unit_id'))

    op.drop_table('task_unit')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_unit_id_status')
        batch_op.drop_index(batch_op.f('ix_assignment_task_id'))
        batch_op.drop_index('ix_assignment_status_due')
        batch_op.drop_index(batch_op.f('ix_assignment_parent_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_due'))

    op.drop_table('assignment')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_conclusion_id'))

    op.drop_table('task')
    with op.batch_alter_table('conclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conclusion_status'))
        batch_op.drop_index(batch_op.f('ix_conclusion_period'))
        batch_op.drop_index(batch_op.f('ix_conclusion_number'))
        batch_op.drop_index(batch_op.f('ix_conclusion_issuer_unit_id'))

    op.drop_table('conclusion')
    with op.batch_alter_table('chat_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_link_user_id'))

    op.drop_table('chat_link')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index('ix_audit_event_entity')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_unit_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('unit_group_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_group_member_unit_id'))

    op.drop_table('unit_group_member')
    op.drop_table('unit_group')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_parent_id'))

    op.drop_table('unit')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_username_attempted_at')
        batch_op.drop_index('ix_login_attempt_remote_addr_attempted_at')

    op.drop_table('login_attempt')
