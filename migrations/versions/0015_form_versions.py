"""form versions: definitions published on screen, immutable (append-only)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('definition_hash', sa.String(length=64), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('base_hash', sa.String(length=64), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'],
                            name=op.f('fk_form_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_versions')),
    sa.UniqueConstraint('form', 'version', name=op.f('uq_form_versions_form'))
    )
    with op.batch_alter_table('form_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_versions_form'), ['form'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_versions_published_at'), ['published_at'],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION form_versions_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'form_versions is append-only'; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER form_versions_append_only BEFORE UPDATE OR DELETE ON "
                   "form_versions FOR EACH ROW EXECUTE FUNCTION form_versions_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER form_versions_no_{event.lower()} BEFORE {event} ON "
                       "form_versions BEGIN SELECT RAISE(ABORT, 'form_versions is "
                       "append-only'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER form_versions_append_only ON form_versions")
        op.execute("DROP FUNCTION form_versions_append_only()")
    else:
        op.execute("DROP TRIGGER form_versions_no_update")
        op.execute("DROP TRIGGER form_versions_no_delete")
    with op.batch_alter_table('form_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_versions_published_at'))
        batch_op.drop_index(batch_op.f('ix_form_versions_form'))
    op.drop_table('form_versions')
