"""per-game settings of game processes (environment, network, time per move)

Revision ID: a7e3c2d91f40
Revises: 3c1d2e9a7b10
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7e3c2d91f40'
down_revision = '3c1d2e9a7b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('game') as batch:
        batch.add_column(sa.Column('settings', sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))


def downgrade():
    with op.batch_alter_table('game') as batch:
        batch.drop_column('settings')
