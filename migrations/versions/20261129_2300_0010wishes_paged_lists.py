"""wishes: indexes for the paged review queue, "my wishes" and "my claims" (filter + keyset order)

Revision ID: 0010wishes
Revises: 0008cobuild
Create Date: 2026-11-29 23:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0010wishes'
down_revision = '0008cobuild'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.create_index('ix_wish_review', ['state', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_wish_wisher_created', ['wisher_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_wish_author_created', ['author_id', 'created_at', 'id'], unique=False)
    with op.batch_alter_table('wish_claim', schema=None) as batch_op:
        batch_op.create_index('ix_wish_claim_claimant_claimed', ['claimant_id', 'claimed_at', 'id'], unique=False)
        batch_op.create_index('ix_wish_claim_org_claimed', ['organisation_id', 'claimed_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('wish_claim', schema=None) as batch_op:
        batch_op.drop_index('ix_wish_claim_org_claimed')
        batch_op.drop_index('ix_wish_claim_claimant_claimed')
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.drop_index('ix_wish_author_created')
        batch_op.drop_index('ix_wish_wisher_created')
        batch_op.drop_index('ix_wish_review')
