"""accounts: one role row per role and place; temporary passwords must be changed

Revision ID: 0007accounts
Revises: 0006notifications
Create Date: 2026-11-26 07:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0007accounts'
down_revision = '0006notifications'
branch_labels = None
depends_on = None

WHERE = {
    'uq_role_assignment_area': 'area_id IS NOT NULL',
    'uq_role_assignment_org': 'organisation_id IS NOT NULL',
    'uq_role_assignment_global': 'area_id IS NULL AND organisation_id IS NULL',
}
COLUMNS = {
    'uq_role_assignment_area': ['user_id', 'role', 'area_id'],
    'uq_role_assignment_org': ['user_id', 'role', 'organisation_id'],
    'uq_role_assignment_global': ['user_id', 'role'],
}


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    # rows granted twice at the same instant before this constraint existed: keep the oldest of each
    op.execute(
        "DELETE FROM role_assignment WHERE id NOT IN ("
        " SELECT MIN(id) FROM role_assignment"
        " GROUP BY user_id, role, COALESCE(area_id, 0), COALESCE(organisation_id, 0))"
    )
    for name, columns in COLUMNS.items():
        op.create_index(name, 'role_assignment', columns, unique=True,
                        sqlite_where=sa.text(WHERE[name]), postgresql_where=sa.text(WHERE[name]))


def downgrade():
    for name in COLUMNS:
        op.drop_index(name, table_name='role_assignment')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
