"""accounts: one role row per role and place; temporary passwords must be changed

Revision ID: 0007accounts
Revises: 0006notifications
Create Date: 2026-11-26 07:00:00

Before the partial unique indexes can exist, role rows granted twice at the same instant (same person, role and
place) must go: the oldest row of each group is kept, every other one is deleted, and each deletion is written to
the audit log (action ``account.role_duplicate_removed``, with the removed row's role, place and grant time), so a
street office can see what the upgrade changed.

The downgrade drops the indexes and the column but cannot bring the deleted rows back, and need not: each was an
exact duplicate of a row that is kept (the same power on the same place), so removing it changed nobody's rights.
The audit entries remain as the record of what was removed.
"""
from datetime import datetime, timezone

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
    # rows granted twice at the same instant before this constraint existed: keep the oldest of each, and write
    # each removed row to the audit log first
    conn = op.get_bind()
    duplicates = conn.execute(sa.text(
        "SELECT id, user_id, role, area_id, organisation_id, created_at FROM role_assignment WHERE id NOT IN ("
        " SELECT MIN(id) FROM role_assignment"
        " GROUP BY user_id, role, COALESCE(area_id, 0), COALESCE(organisation_id, 0))"
        " ORDER BY id"
    )).mappings().all()
    if duplicates:
        audit = sa.table(
            'audit_entry', sa.column('at', sa.DateTime), sa.column('actor_id', sa.Integer),
            sa.column('action', sa.String), sa.column('subject_type', sa.String),
            sa.column('subject_id', sa.Integer), sa.column('area_id', sa.Integer), sa.column('ip', sa.String),
            sa.column('details', sa.JSON),
        )
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        op.bulk_insert(audit, [{
            'at': now, 'actor_id': None, 'action': 'account.role_duplicate_removed', 'subject_type': 'user',
            'subject_id': row['user_id'], 'area_id': row['area_id'], 'ip': None,
            'details': {
                'role_assignment_id': row['id'], 'role': row['role'], 'area_id': row['area_id'],
                'organisation_id': row['organisation_id'],
                'granted_at': str(row['created_at']) if row['created_at'] is not None else None,
                'reason': 'duplicate of an older identical role row (migration 0007)',
            },
        } for row in duplicates])
        conn.execute(sa.text("DELETE FROM role_assignment WHERE id IN :ids").bindparams(
            sa.bindparam('ids', expanding=True)), {'ids': [row['id'] for row in duplicates]})
    for name, columns in COLUMNS.items():
        op.create_index(name, 'role_assignment', columns, unique=True,
                        sqlite_where=sa.text(WHERE[name]), postgresql_where=sa.text(WHERE[name]))


def downgrade():
    for name in COLUMNS:
        op.drop_index(name, table_name='role_assignment')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
