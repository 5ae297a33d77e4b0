"""orgs: index for the organisations list filtered by kind, in name order

Revision ID: 0005orgs
Revises: 0004open311
Create Date: 2026-11-26 05:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0005orgs'
down_revision = '0004open311'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_kind_name', ['kind', 'name'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_kind_name')
