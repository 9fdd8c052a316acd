"""tax: rates per country and region, tax per order and invoice line, exemptions, tax-inclusive price lists

Revision ID: 0008_tax
Revises: 0007_pricing
Create Date: 2026-12-07 18:24:19.479301
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = '0008_tax'
down_revision: str | Sequence[str] | None = '0007_pricing'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tax_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('jurisdiction', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('percent', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('valid_from', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('jurisdiction', 'valid_from', name='uq_tax_rate_place')
    )
    with op.batch_alter_table('tax_rate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tax_rate_country'), ['country'], unique=False)

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_exempt', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('tax_exemption_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))

    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_percent', db.types.Amount(precision=18, scale=4), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('tax_amount', db.types.Amount(precision=18, scale=4), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('tax_label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('tax_jurisdiction', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column('tax_reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('tax_included', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_exempt', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('tax_exemption_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_percent', db.types.Amount(precision=18, scale=4), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('tax_amount', db.types.Amount(precision=18, scale=4), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('tax_label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('tax_jurisdiction', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column('tax_reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('tax_included', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('price_list', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prices_include_tax', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('price_list', schema=None) as batch_op:
        batch_op.drop_column('prices_include_tax')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('tax_included')
        batch_op.drop_column('tax_reason')
        batch_op.drop_column('tax_jurisdiction')
        batch_op.drop_column('tax_label')
        batch_op.drop_column('tax_amount')
        batch_op.drop_column('tax_percent')

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('tax_exemption_reference')
        batch_op.drop_column('tax_exempt')

    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_column('tax_included')
        batch_op.drop_column('tax_reason')
        batch_op.drop_column('tax_jurisdiction')
        batch_op.drop_column('tax_label')
        batch_op.drop_column('tax_amount')
        batch_op.drop_column('tax_percent')

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('tax_exemption_reference')
        batch_op.drop_column('tax_exempt')

    with op.batch_alter_table('tax_rate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tax_rate_country'))

    op.drop_table('tax_rate')
