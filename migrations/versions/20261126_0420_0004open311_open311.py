"""open311: API keys

Revision ID: 0004open311
Revises: 0003issues
Create Date: 2026-11-26 04:20:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0004open311'
down_revision = '0003issues'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
