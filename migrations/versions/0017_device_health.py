"""device health: what each phone last reported about the records it holds

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('device_health',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('app_version', sa.String(length=64), nullable=True),
    sa.Column('records', JSON, nullable=False),
    sa.Column('last_sync_age_seconds', sa.Integer(), nullable=True),
    sa.Column('facts', JSON, nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_device_health_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_health')),
    sa.UniqueConstraint('device_id', 'user_id', name='uq_device_health_device')
    )
    with op.batch_alter_table('device_health', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_health_received_at'), ['received_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_device_health_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('device_health', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_health_user_id'))
        batch_op.drop_index(batch_op.f('ix_device_health_received_at'))
    op.drop_table('device_health')
