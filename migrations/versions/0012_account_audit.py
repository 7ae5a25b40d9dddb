"""account audit: what administrators changed about accounts, append-only

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=24), nullable=False),
    sa.Column('before', sa.String(length=120), nullable=True),
    sa.Column('after', sa.String(length=120), nullable=True),
    sa.CheckConstraint("change IN ('created', 'password', 'role', 'incident_reviewer', "
                       "'active', 'unit')", name=op.f('ck_account_audit_change')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                            name=op.f('fk_account_audit_actor_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_account_audit_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_audit'))
    )
    with op.batch_alter_table('account_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_audit_user_id'), ['user_id'],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION account_audit_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'account_audit is append-only'; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER account_audit_append_only BEFORE UPDATE OR DELETE ON "
                   "account_audit FOR EACH ROW EXECUTE FUNCTION account_audit_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER account_audit_no_{event.lower()} BEFORE {event} ON "
                       "account_audit BEGIN SELECT RAISE(ABORT, 'account_audit is "
                       "append-only'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER account_audit_append_only ON account_audit")
        op.execute("DROP FUNCTION account_audit_append_only()")
    else:
        op.execute("DROP TRIGGER account_audit_no_update")
        op.execute("DROP TRIGGER account_audit_no_delete")
    with op.batch_alter_table('account_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_audit_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_audit_at'))
    op.drop_table('account_audit')
