"""subsa: the merchant's portal stored by staff, retention offers, one-time add-ons, retention discounts

Revision ID: 0022_subscription_retention
Revises: 0021_files
Create Date: 2026-12-07 21:19:16.232822
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = '0022_subscription_retention'
down_revision: str | Sequence[str] | None = '0021_files'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('subscription_portal_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('preset', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('cancel_mode', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('prorate_upgrades', sa.Boolean(), nullable=False),
    sa.Column('max_pause_cycles', sa.Integer(), nullable=False),
    sa.Column('cancel_by_admin_only', sa.Boolean(), nullable=False),
    sa.Column('offer_kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('offer_percent', db.types.Amount(precision=18, scale=4), nullable=True),
    sa.Column('offer_cycles', sa.Integer(), nullable=True),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('subscription_retention_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('percent', db.types.Amount(precision=18, scale=4), nullable=True),
    sa.Column('cycles', sa.Integer(), nullable=True),
    sa.Column('variant_id', sa.Integer(), nullable=True),
    sa.Column('period_amount', db.types.Amount(precision=18, scale=4), nullable=True),
    sa.Column('shown_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.Column('decided_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ),
    sa.ForeignKeyConstraint(['variant_id'], ['product_variant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscription_id', name='uq_subscription_retention_offer')
    )
    op.create_table('subscription_addon',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('cycle_start', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['customer_order.id'], ),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['variant_id'], ['product_variant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('subscription_addon', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_addon_open', ['subscription_id', 'invoice_id'], unique=False)

    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_percent', db.types.Amount(precision=18, scale=4), nullable=True))
        batch_op.add_column(sa.Column('discount_cycles_left', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_column('discount_cycles_left')
        batch_op.drop_column('discount_percent')

    with op.batch_alter_table('subscription_addon', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_addon_open')

    op.drop_table('subscription_addon')
    op.drop_table('subscription_retention_offer')
    op.drop_table('subscription_portal_setting')
