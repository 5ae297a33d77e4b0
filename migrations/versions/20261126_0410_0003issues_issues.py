"""issues: issue tracking, categories, ratings, mediation

Revision ID: 0003issues
Revises: 0002wishes
Create Date: 2026-11-26 04:10:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0003issues'
down_revision = '0002wishes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
