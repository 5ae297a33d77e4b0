"""wishes: micro-wishes, claims

Revision ID: 0002wishes
Revises: 0001foundation
Create Date: 2026-11-26 04:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0002wishes'
down_revision = '0001foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=True),
    sa.Column('wisher_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('subject_name', sa.String(length=20), nullable=True),
    sa.Column('subject_contact', sa.String(length=80), nullable=True),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('wanted_by', sa.Date(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('fulfil_note', sa.Text(), nullable=True),
    sa.Column('fulfil_photo_id', sa.Integer(), nullable=True),
    sa.Column('thanks_note', sa.Text(), nullable=True),
    sa.Column('post_key', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('pending','published','claimed','fulfilled','completed','rejected','withdrawn','expired')", name=op.f('ck_wish_state')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_wish_value_not_negative')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_wish_area_id_area')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_wish_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['area.id'], name=op.f('fk_wish_community_id_area')),
    sa.ForeignKeyConstraint(['fulfil_photo_id'], ['upload.id'], name=op.f('fk_wish_fulfil_photo_id_upload'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['photo_id'], ['upload.id'], name=op.f('fk_wish_photo_id_upload'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['street_id'], ['area.id'], name=op.f('fk_wish_street_id_area')),
    sa.ForeignKeyConstraint(['wisher_id'], ['user.id'], name=op.f('fk_wish_wisher_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish')),
    sa.UniqueConstraint('post_key', name=op.f('uq_wish_post_key'))
    )
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.create_index('ix_wish_author_state', ['author_id', 'state'], unique=False)
        batch_op.create_index('ix_wish_community_wall', ['community_id', 'state', 'published_at', 'id'], unique=False)
        batch_op.create_index('ix_wish_state_wanted_by', ['state', 'wanted_by'], unique=False)
        batch_op.create_index('ix_wish_street_wall', ['street_id', 'state', 'published_at', 'id'], unique=False)
        batch_op.create_index('ix_wish_wall', ['state', 'published_at', 'id'], unique=False)
        batch_op.create_index('ix_wish_wisher_state', ['wisher_id', 'state'], unique=False)

    op.create_table('wish_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(), nullable=False),
    sa.Column('fulfilled_at', sa.DateTime(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('member','branch')", name=op.f('ck_wish_claim_kind')),
    sa.CheckConstraint("status IN ('active','released','done')", name=op.f('ck_wish_claim_status')),
    sa.ForeignKeyConstraint(['claimant_id'], ['user.id'], name=op.f('fk_wish_claim_claimant_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_wish_claim_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['released_by_id'], ['user.id'], name=op.f('fk_wish_claim_released_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wish_id'], ['wish.id'], name=op.f('fk_wish_claim_wish_id_wish'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish_claim'))
    )
    with op.batch_alter_table('wish_claim', schema=None) as batch_op:
        batch_op.create_index('ix_wish_claim_claimant_status', ['claimant_id', 'status'], unique=False)
        batch_op.create_index('ix_wish_claim_org_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index('ix_wish_claim_status_deadline', ['status', 'deadline_at'], unique=False)
        batch_op.create_index('ix_wish_claim_wish', ['wish_id', 'claimed_at'], unique=False)
        batch_op.create_index('uq_wish_claim_active', ['wish_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('wish_claim_member',
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['wish_claim.id'], name=op.f('fk_wish_claim_member_claim_id_wish_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_wish_claim_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('claim_id', 'user_id', name=op.f('pk_wish_claim_member'))
    )
    with op.batch_alter_table('wish_claim_member', schema=None) as batch_op:
        batch_op.create_index('ix_wish_claim_member_user', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('wish_claim_member', schema=None) as batch_op:
        batch_op.drop_index('ix_wish_claim_member_user')

    op.drop_table('wish_claim_member')
    with op.batch_alter_table('wish_claim', schema=None) as batch_op:
        batch_op.drop_index('uq_wish_claim_active', sqlite_where=sa.text("status = 'active'"),
                            postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_wish_claim_wish')
        batch_op.drop_index('ix_wish_claim_status_deadline')
        batch_op.drop_index('ix_wish_claim_org_status')
        batch_op.drop_index('ix_wish_claim_claimant_status')

    op.drop_table('wish_claim')
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.drop_index('ix_wish_wisher_state')
        batch_op.drop_index('ix_wish_wall')
        batch_op.drop_index('ix_wish_street_wall')
        batch_op.drop_index('ix_wish_state_wanted_by')
        batch_op.drop_index('ix_wish_community_wall')
        batch_op.drop_index('ix_wish_author_state')

    op.drop_table('wish')
