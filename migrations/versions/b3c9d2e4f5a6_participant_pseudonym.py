"""participant pseudonym (log format 2 names participants by it, never by name);
play-through chain tip (the latest line the row knows, for verdict re-checks)

Revision ID: b3c9d2e4f5a6
Revises: a7e3c2d91f40
Create Date: 2026-12-01 12:55:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'b3c9d2e4f5a6'
down_revision = 'a7e3c2d91f40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('playthrough', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tip_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('tip_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pseudonym', sa.String(length=16), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id FROM participant")).fetchall()
    for (pid,) in rows:
        bind.execute(sa.text("UPDATE participant SET pseudonym = :p WHERE id = :i"),
                     {"p": "p-" + secrets.token_hex(6), "i": pid})
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.alter_column('pseudonym', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint('uq_participant_pseudonym', ['pseudonym'])


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint('uq_participant_pseudonym', type_='unique')
        batch_op.drop_column('pseudonym')
    with op.batch_alter_table('playthrough', schema=None) as batch_op:
        batch_op.drop_column('tip_hash')
        batch_op.drop_column('tip_seq')
