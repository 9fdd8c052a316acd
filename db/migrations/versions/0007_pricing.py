"""price precision per price list

Revision ID: 0007_pricing
Revises: 0006_one_invoice_per_order
Create Date: 2026-12-07 18:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_pricing'
down_revision: str | Sequence[str] | None = '0006_one_invoice_per_order'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Decimals of the prices a list computes (a percentage off the list price); null: the
    # currency's minor unit. At most 4: the Amount column's scale.
    with op.batch_alter_table('price_list', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_precision', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('price_list', schema=None) as batch_op:
        batch_op.drop_column('price_precision')
