"""entries: a record's parent (case or group timeline), the holder of a transferred case

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COLUMNS = (
    ('parent_uuid', sa.Uuid(), 'CHAR(32)', 'submissions', 'uuid',
     'fk_submissions_parent_uuid_submissions'),
    ('holder_unit_id', sa.Integer(), 'INTEGER', 'units', 'id',
     'fk_submissions_holder_unit_id_units'),
)


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for name, type_, sqlite_type, table, column, fk in COLUMNS:
        if sqlite:
            # Not batch mode: re-creating `submissions` on SQLite drops the old table,
            # and with foreign keys on that deletes every report fact (ON DELETE CASCADE).
            op.execute(f'ALTER TABLE submissions ADD COLUMN {name} {sqlite_type} '
                       f'CONSTRAINT {fk} REFERENCES {table} ({column})')
        else:
            op.add_column('submissions', sa.Column(name, type_, nullable=True))
            op.create_foreign_key(fk, 'submissions', table, [name], [column])
        op.create_index(f'ix_submissions_{name}', 'submissions', [name], unique=False)
    # An entry's facts name its case or group (no batch mode either: see above).
    op.add_column('report_facts', sa.Column('parent_uuid', sa.Uuid(), nullable=True))
    op.create_index('ix_report_facts_parent_uuid', 'report_facts', ['parent_uuid'],
                    unique=False)


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.drop_index('ix_report_facts_parent_uuid', table_name='report_facts')
    op.execute('ALTER TABLE report_facts DROP COLUMN parent_uuid')
    for name, _type, _sqlite_type, _table, _column, fk in reversed(COLUMNS):
        op.drop_index(f'ix_submissions_{name}', table_name='submissions')
        if not sqlite:
            op.drop_constraint(fk, 'submissions', type_='foreignkey')
        # SQLite (3.35+) drops a column with its own REFERENCES clause in place.
        op.execute(f'ALTER TABLE submissions DROP COLUMN {name}')
