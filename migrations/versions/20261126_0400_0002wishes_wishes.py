"""wishes: micro-wishes, claims

Revision ID: 0002wishes
Revises: 0001foundation
Create Date: 2026-11-26 04:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0002wishes'
down_revision = '0001foundation'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
