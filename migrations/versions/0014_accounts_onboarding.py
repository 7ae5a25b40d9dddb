"""accounts: phone, one-time sign-in codes, must change password; the account audit
also holds other administrative changes (targets, rules, form versions)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_CHANGES = ("created", "password", "role", "incident_reviewer", "active", "unit")
NEW_CHANGES = (*OLD_CHANGES, "display_name", "phone", "sign_in_code", "lockout_lifted",
               "target_set", "target_removed", "rule", "form_version")


def _one_of(values):
    return f"change IN ({', '.join(repr(v) for v in values)})"


def _drop_append_only(dialect):
    if dialect == "postgresql":
        op.execute("DROP TRIGGER account_audit_append_only ON account_audit")
    else:
        op.execute("DROP TRIGGER account_audit_no_update")
        op.execute("DROP TRIGGER account_audit_no_delete")


def _append_only(dialect):
    """0012's triggers: SQLite's batch mode copies the table, which drops them."""
    if dialect == "postgresql":
        op.execute("CREATE TRIGGER account_audit_append_only BEFORE UPDATE OR DELETE ON "
                   "account_audit FOR EACH ROW EXECUTE FUNCTION account_audit_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER account_audit_no_{event.lower()} BEFORE {event} ON "
                       "account_audit BEGIN SELECT RAISE(ABORT, 'account_audit is "
                       "append-only'); END")


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(),
                                      server_default='0', nullable=False))
        batch_op.add_column(sa.Column('code_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('code_expires_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_phone'), ['phone'], unique=True)

    dialect = op.get_bind().dialect.name
    _drop_append_only(dialect)
    with op.batch_alter_table('account_audit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_audit_change'), type_='check')
        batch_op.add_column(sa.Column('target', sa.String(length=120), nullable=True))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('before', existing_type=sa.String(length=120),
                              type_=sa.Text(), existing_nullable=True)
        batch_op.alter_column('after', existing_type=sa.String(length=120),
                              type_=sa.Text(), existing_nullable=True)
        batch_op.create_index(batch_op.f('ix_account_audit_target'), ['target'],
                              unique=False)
        batch_op.create_check_constraint('change', _one_of(NEW_CHANGES))
    _append_only(dialect)


def downgrade():
    dialect = op.get_bind().dialect.name
    _drop_append_only(dialect)
    # Rows 0012 cannot hold go first (the triggers are off for this).
    op.execute(f"DELETE FROM account_audit WHERE user_id IS NULL OR NOT "
               f"({_one_of(OLD_CHANGES)})")
    with op.batch_alter_table('account_audit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_audit_change'), type_='check')
        batch_op.drop_index(batch_op.f('ix_account_audit_target'))
        batch_op.alter_column('after', existing_type=sa.Text(),
                              type_=sa.String(length=120), existing_nullable=True)
        batch_op.alter_column('before', existing_type=sa.Text(),
                              type_=sa.String(length=120), existing_nullable=True)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('target')
        batch_op.create_check_constraint('change', _one_of(OLD_CHANGES))
    _append_only(dialect)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_phone'))
        batch_op.drop_column('code_expires_at')
        batch_op.drop_column('code_hash')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('phone')
