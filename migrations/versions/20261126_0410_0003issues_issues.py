"""issues: issue tracking, categories, ratings, mediation

Revision ID: 0003issues
Revises: 0002wishes
Create Date: 2026-11-26 04:10:00

Indexes follow the list queries (app/issues/queries.py): the queue (handler area + level, due first), the area
lists (area + newest first, state / category filters), the jobs (state + due / resolved), my reports
(reporter + newest first) and duplicate suggestions (category + area + state).

The default categories are inserted here as data, so a fresh production database has them after
``flask db upgrade``; ``app.issues.services.ensure_default_categories`` adds any that are missing (demo, tests,
and the report page on first use) and never changes existing rows.
"""
from alembic import op
import sqlalchemy as sa

revision = '0003issues'
down_revision = '0002wishes'
branch_labels = None
depends_on = None

# code, name (English msgid, translated when shown), description, accept h, resolve h, level, urgent, mediation,
# public, icon — keep in step with app.issues.models.DEFAULT_CATEGORIES
DEFAULT_CATEGORIES = [
    ("street_light", "Street light", "A street or stairway light is broken or stays on.",
     24, 168, "microgrid", False, False, True, "\u263c"),
    ("safety_hazard", "Safety hazard", "Something could hurt people now: a loose cover, exposed wires, "
     "a blocked fire exit.", 1, 72, "microgrid", True, False, True, "\u26a0"),
    ("sanitation", "Sanitation", "Rubbish, litter, blocked drains, pests.",
     24, 168, "microgrid", False, False, True, "\u267b"),
    ("noise", "Noise", "Noise from building work, shops or neighbours at night.",
     24, 168, "microgrid", False, False, True, "\u266b"),
    ("neighbour_dispute", "Neighbour dispute", "A disagreement between neighbours that needs mediation.",
     24, 336, "microgrid", False, True, False, "\u2696"),
    ("facilities", "Public facilities", "Benches, fitness equipment, lifts, roads and paths.",
     24, 336, "grid", False, False, True, "\u2692"),
    ("other", "Other", "Anything else in the neighbourhood.",
     24, 168, "microgrid", False, False, True, "\u2026"),
]


def upgrade():
    op.create_table('issue_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('accept_hours', sa.Integer(), nullable=False),
    sa.Column('resolve_hours', sa.Integer(), nullable=False),
    sa.Column('default_level', sa.String(length=16), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('requires_mediation', sa.Boolean(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('icon', sa.String(length=8), nullable=False),
    sa.CheckConstraint("default_level IN ('microgrid','grid','community','street')", name=op.f('ck_issue_category_default_level')),
    sa.CheckConstraint('accept_hours > 0 AND resolve_hours > 0', name=op.f('ck_issue_category_hours')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_category')),
    sa.UniqueConstraint('code', name=op.f('uq_issue_category_code'))
    )
    with op.batch_alter_table('issue_category', schema=None) as batch_op:
        batch_op.create_index('ix_issue_category_active_sort', ['active', 'sort_order'], unique=False)

    op.create_table('issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('handler_area_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('reporter_name', sa.String(length=40), nullable=True),
    sa.Column('reporter_phone', sa.String(length=20), nullable=True),
    sa.Column('reporter_email', sa.String(length=120), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('supporters_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('accept_due_at', sa.DateTime(), nullable=True),
    sa.Column('resolve_due_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('breach_handled_due_at', sa.DateTime(), nullable=True),
    sa.Column('escalation_count', sa.Integer(), nullable=False),
    sa.Column('resolve_count', sa.Integer(), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('resolution_photo_id', sa.Integer(), nullable=True),
    sa.Column('close_reason', sa.String(length=16), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('web','visit','phone','wechat','hotline','sentinel','open311')", name=op.f('ck_issue_channel')),
    sa.CheckConstraint("level IN ('microgrid','grid','community','street')", name=op.f('ck_issue_level')),
    sa.CheckConstraint("state IN ('reported','accepted','in_progress','resolved','closed','rejected','duplicate')", name=op.f('ck_issue_state')),
    sa.CheckConstraint('supporters_count >= 0', name=op.f('ck_issue_supporters_count')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_issue_area_id_area')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_issue_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['issue_category.id'], name=op.f('fk_issue_category_id_issue_category')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['issue.id'], name=op.f('fk_issue_duplicate_of_id_issue'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handler_area_id'], ['area.id'], name=op.f('fk_issue_handler_area_id_area')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['user.id'], name=op.f('fk_issue_on_behalf_of_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user.id'], name=op.f('fk_issue_reporter_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolution_photo_id'], ['upload.id'], name=op.f('fk_issue_resolution_photo_id_upload'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue'))
    )
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.create_index('ix_issue_area_created', ['area_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_issue_assignee_due', ['assignee_id', 'due_at', 'id'], unique=False)
        batch_op.create_index('ix_issue_category_area_state', ['category_id', 'area_id', 'state'], unique=False)
        batch_op.create_index('ix_issue_category_state_created', ['category_id', 'state', 'created_at'], unique=False)
        batch_op.create_index('ix_issue_external_id', ['external_id'], unique=False)
        batch_op.create_index('ix_issue_handler_level_due', ['handler_area_id', 'level', 'due_at', 'id'], unique=False)
        batch_op.create_index('ix_issue_reporter_created', ['reporter_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_issue_state_created', ['state', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_issue_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_issue_state_resolved', ['state', 'resolved_at'], unique=False)
        batch_op.create_index('ix_issue_subject_created', ['on_behalf_of_id', 'created_at', 'id'], unique=False)

    op.create_table('issue_mediation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('parties', sa.Text(), nullable=False),
    sa.Column('mediator', sa.String(length=80), nullable=False),
    sa.Column('agreement_reached', sa.Boolean(), nullable=False),
    sa.Column('agreement_text', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issue_mediation_issue_id_issue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_issue_mediation_recorded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_mediation'))
    )
    with op.batch_alter_table('issue_mediation', schema=None) as batch_op:
        batch_op.create_index('ix_issue_mediation_issue', ['issue_id', 'created_at'], unique=False)

    op.create_table('issue_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('rater_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('revisit', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("value IN ('satisfied','basically_satisfied','unsatisfied')", name=op.f('ck_issue_rating_value')),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issue_rating_issue_id_issue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['user.id'], name=op.f('fk_issue_rating_rater_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_issue_rating_recorded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_rating')),
    sa.UniqueConstraint('issue_id', 'round', name='uq_issue_rating_issue_round')
    )
    with op.batch_alter_table('issue_rating', schema=None) as batch_op:
        batch_op.create_index('ix_issue_rating_value_created', ['value', 'created_at'], unique=False)

    op.create_table('issue_supporter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issue_supporter_issue_id_issue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_issue_supporter_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_supporter')),
    sa.UniqueConstraint('issue_id', 'user_id', name='uq_issue_supporter_issue_user')
    )
    with op.batch_alter_table('issue_supporter', schema=None) as batch_op:
        batch_op.create_index('ix_issue_supporter_user', ['user_id', 'created_at'], unique=False)

    category = sa.table(
        "issue_category", sa.column("code", sa.String), sa.column("name", sa.String),
        sa.column("description", sa.String), sa.column("accept_hours", sa.Integer),
        sa.column("resolve_hours", sa.Integer), sa.column("default_level", sa.String),
        sa.column("urgent", sa.Boolean), sa.column("requires_mediation", sa.Boolean),
        sa.column("public", sa.Boolean), sa.column("active", sa.Boolean), sa.column("sort_order", sa.Integer),
        sa.column("icon", sa.String))
    op.bulk_insert(category, [
        dict(code=code, name=name, description=desc, accept_hours=accept, resolve_hours=resolve, default_level=level,
             urgent=urgent, requires_mediation=mediation, public=public, active=True, sort_order=(i + 1) * 10,
             icon=icon)
        for i, (code, name, desc, accept, resolve, level, urgent, mediation, public, icon)
        in enumerate(DEFAULT_CATEGORIES)])


def downgrade():
    with op.batch_alter_table('issue_supporter', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_supporter_user')

    op.drop_table('issue_supporter')
    with op.batch_alter_table('issue_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_rating_value_created')

    op.drop_table('issue_rating')
    with op.batch_alter_table('issue_mediation', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_mediation_issue')

    op.drop_table('issue_mediation')
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_subject_created')
        batch_op.drop_index('ix_issue_state_resolved')
        batch_op.drop_index('ix_issue_state_due')
        batch_op.drop_index('ix_issue_state_created')
        batch_op.drop_index('ix_issue_reporter_created')
        batch_op.drop_index('ix_issue_handler_level_due')
        batch_op.drop_index('ix_issue_external_id')
        batch_op.drop_index('ix_issue_category_state_created')
        batch_op.drop_index('ix_issue_category_area_state')
        batch_op.drop_index('ix_issue_assignee_due')
        batch_op.drop_index('ix_issue_area_created')

    op.drop_table('issue')
    with op.batch_alter_table('issue_category', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_category_active_sort')

    op.drop_table('issue_category')
