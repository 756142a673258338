"""play-through ids made outside the database (BIGINT: session id and number)

The live path owns a new play-through (owner lock, lease, log) before its row
exists, so its id is made from the session id and the play-through's number
(webapp/live/rows.playthrough_id) instead of an autoincrement; ids grow past
32 bits, so the column and the foreign keys to it become BIGINT.  SQLite keeps
INTEGER (its rowid is 64-bit already).

Revision ID: 3c1d2e9a7b10
Revises: de1a80774ac5
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3c1d2e9a7b10'
down_revision = 'de1a80774ac5'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        return      # INTEGER is 64-bit there: nothing to change
    with op.batch_alter_table('playthrough') as batch:
        batch.alter_column('id', existing_type=sa.Integer(), type_=ID,
                           existing_nullable=False, autoincrement=False)
    for table in ('job', 'research_note'):
        with op.batch_alter_table(table) as batch:
            batch.alter_column('playthrough_id', existing_type=sa.Integer(),
                               type_=ID, existing_nullable=True)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    for table in ('job', 'research_note'):
        with op.batch_alter_table(table) as batch:
            batch.alter_column('playthrough_id', existing_type=ID,
                               type_=sa.Integer(), existing_nullable=True)
    with op.batch_alter_table('playthrough') as batch:
        batch.alter_column('id', existing_type=ID, type_=sa.Integer(),
                           existing_nullable=False)
