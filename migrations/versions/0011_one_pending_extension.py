"""One pending extension request per assignment, enforced by a partial unique index

Revision ID: 0011
Revises: 0004
Create Date: 2026-12-05 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLOSED_DUPLICATE = (
    "Đề nghị trùng (gửi nhiều lần cùng lúc), tự đóng khi nâng cấp; đề nghị đầu tiên vẫn chờ "
    "quyết định."
)


def upgrade() -> None:
    # Duplicates that slipped in before the index are closed, not deleted: the review keeps them.
    # The earliest pending request of each assignment stays open.
    op.execute(
        sa.text(
            """
            UPDATE extension_request
               SET status = 'refused',
                   decided_at = CURRENT_TIMESTAMP,
                   decided_by_id = requested_by_id,
                   decision_comment = :comment
             WHERE status = 'pending'
               AND id <> (SELECT MIN(other.id) FROM extension_request AS other
                           WHERE other.assignment_id = extension_request.assignment_id
                             AND other.status = 'pending')
            """
        ).bindparams(comment=CLOSED_DUPLICATE)
    )
    op.create_index(
        'uq_extension_request_one_pending',
        'extension_request',
        ['assignment_id'],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index('uq_extension_request_one_pending', table_name='extension_request')
