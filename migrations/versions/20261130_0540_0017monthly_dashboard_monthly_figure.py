"""dashboard: monthly roll-up rows (monthly_figure, the daily rows added up per calendar month) and an index on
daily_figure (area_id, day) for the days of a month a period covers in part

Revision ID: 0017monthly
Revises: 0016moderation
Create Date: 2026-11-30 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017monthly'
down_revision = '0016moderation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_monthly_figure_area_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_figure')),
    sa.UniqueConstraint('area_id', 'month', 'metric', 'key', name='uq_monthly_figure')
    )
    with op.batch_alter_table('daily_figure', schema=None) as batch_op:
        batch_op.create_index('ix_daily_figure_area_day', ['area_id', 'day'], unique=False)

    # the months of the rows already there (a date is stored as 'YYYY-MM-DD' text by SQLite)
    month = ("CAST(date_trunc('month', day) AS date)" if op.get_bind().dialect.name == "postgresql"
             else "substr(day, 1, 7) || '-01'")
    op.execute(f'INSERT INTO monthly_figure (area_id, metric, month, "key", count, total) '
               f'SELECT area_id, metric, {month}, "key", SUM(count), SUM(total) FROM daily_figure '
               f'GROUP BY area_id, metric, {month}, "key" HAVING SUM(count) <> 0 OR SUM(total) <> 0')


def downgrade():
    with op.batch_alter_table('daily_figure', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_figure_area_day')

    op.drop_table('monthly_figure')
