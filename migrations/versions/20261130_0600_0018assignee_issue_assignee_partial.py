"""issues: the assignee index holds only the issues assigned to someone (a partial index) — the handler's queue finds
"assigned to me" by it instead of walking every issue of the patch

Revision ID: 0018assignee
Revises: 0017monthly
Create Date: 2026-11-30 06:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0018assignee'
down_revision = '0017monthly'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_assignee_due')
        batch_op.create_index('ix_issue_assignee_due', ['assignee_id', 'due_at', 'id'], unique=False,
                              sqlite_where=sa.text('assignee_id IS NOT NULL'),
                              postgresql_where=sa.text('assignee_id IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_assignee_due')
        batch_op.create_index('ix_issue_assignee_due', ['assignee_id', 'due_at', 'id'], unique=False)
