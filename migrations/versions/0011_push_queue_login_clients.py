"""push queue: when a notification's next push may start; sign-in failures by client

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_push_at', sa.DateTime(),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_next_push_at'), ['next_push_at'],
                              unique=False)


    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_login_failures_client'), ['client'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_client'))
        batch_op.drop_column('client')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_next_push_at'))
        batch_op.drop_column('next_push_at')
