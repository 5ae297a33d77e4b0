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
    op.create_table('open311_api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('default_area_id', sa.Integer(), nullable=False),
    sa.Column('key_prefix', sa.String(length=12), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_open311_api_key_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['default_area_id'], ['area.id'], name=op.f('fk_open311_api_key_default_area_id_area')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_open311_api_key_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_open311_api_key_revoked_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_open311_api_key_key_hash'))
    )
    with op.batch_alter_table('open311_api_key', schema=None) as batch_op:
        batch_op.create_index('ix_open311_api_key_created_at', ['created_at'], unique=False)

    op.create_table('open311_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.String(length=100), nullable=True),
    sa.Column('account_id', sa.String(length=100), nullable=True),
    sa.Column('media_url', sa.String(length=500), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['open311_api_key.id'], name=op.f('fk_open311_request_api_key_id_open311_api_key'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_open311_request_issue_id_issue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_request')),
    sa.UniqueConstraint('issue_id', name=op.f('uq_open311_request_issue_id')),
    sa.UniqueConstraint('token', name=op.f('uq_open311_request_token'))
    )
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.create_index('ix_open311_request_api_key_created', ['api_key_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.drop_index('ix_open311_request_api_key_created')

    op.drop_table('open311_request')
    with op.batch_alter_table('open311_api_key', schema=None) as batch_op:
        batch_op.drop_index('ix_open311_api_key_created_at')

    op.drop_table('open311_api_key')
