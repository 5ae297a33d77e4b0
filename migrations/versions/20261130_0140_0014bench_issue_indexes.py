"""issues: indexes for a city of a million people — the handler's queue finds its patch's active issues by handler
area, level and state (not by walking every active issue of the city), and the newest issues city-wide (the Open311
list) are read in order instead of sorted

Revision ID: 0014bench
Revises: 0013stations
Create Date: 2026-11-30 01:40:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0014bench'
down_revision = '0013stations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_handler_level_due')
        batch_op.create_index('ix_issue_handler_level_state', ['handler_area_id', 'level', 'state', 'due_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_issue_created', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_created')
        batch_op.drop_index('ix_issue_handler_level_state')
        batch_op.create_index('ix_issue_handler_level_due', ['handler_area_id', 'level', 'due_at', 'id'],
                              unique=False)
