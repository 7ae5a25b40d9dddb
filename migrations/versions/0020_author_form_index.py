"""submissions: the author's index also holds the form (and, on PostgreSQL, the UUID)

An officer's pull includes the entries others add to her cases and groups, so it first
finds those among her records: with the form in the index PostgreSQL reads the few
hundred of them from the index alone, not every record she ever filed from the table
(bench/reports.py, 1,000,000 records, 8,096 of them hers, 839 cases and groups: that
step 27 -> 0.5 ms, her month-end pull 27 -> 11 ms).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 09:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        # postgresql_include means nothing to SQLite.
        batch_op.create_index('ix_submissions_author_form', ['author_id', 'form'],
                              unique=False, postgresql_include=['uuid'])
        batch_op.drop_index('ix_submissions_author_id')


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_author_id', ['author_id'], unique=False)
        batch_op.drop_index('ix_submissions_author_form')
