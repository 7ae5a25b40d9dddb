"""report facts: the models-and-cases index also carries the record's UUID

K05 joins each group to its latest entries by UUID; with the UUID in the index,
PostgreSQL reads a province's groups from the index alone rather than from thousands of
heap pages (bench/reports.py: 1,000,000 records over ten years, 30,000 groups).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

OTHERS = ['status', 'unit_id', 'kind', 'model_status', 'established_date', 'trained_tot',
          'members_total', 'tot_trained_count', 'domestic_violence', 'trafficking_return',
          'child_abuse', 'survivor_female', 'consent_reporting', 'service_reached']
WHERE = sa.text("form IN ('model_group', 'incident')")


def _index(include):
    # postgresql_include means nothing to SQLite: its index stays as it is.
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_report_facts_others', table_name='report_facts', postgresql_where=WHERE)
    op.create_index('ix_report_facts_others', 'report_facts', ['form', 'record_date'],
                    unique=False, postgresql_include=include, postgresql_where=WHERE)


def upgrade():
    _index(OTHERS + ['submission_uuid'])


def downgrade():
    _index(OTHERS)
