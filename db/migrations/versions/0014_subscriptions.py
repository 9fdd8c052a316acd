"""subscriptions: history of changes, scheduled downgrades, pauses, a change counter

Revision ID: 0014_subscriptions
Revises: 0013_invoicepay
Create Date: 2026-12-07 19:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = '0014_subscriptions'
down_revision: str | Sequence[str] | None = '0013_invoicepay'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('subscription_event',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('subscription_id', sa.Integer(), nullable=False),
                    sa.Column('account_id', sa.Integer(), nullable=False),
                    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=True),
                    sa.Column('invoice_id', sa.Integer(), nullable=True),
                    sa.Column('details', sa.JSON(), nullable=False),
                    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
                    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
                    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ),
                    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_subscription_event_subscription', 'subscription_event', ['subscription_id', 'id'])
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('paused_until', db.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('subscription_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_variant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pending_quantity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pending_unit_price', db.types.Amount(precision=18, scale=4), nullable=True))
        batch_op.create_foreign_key('fk_subscription_item_pending_variant', 'product_variant',
                                    ['pending_variant_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('subscription_item', schema=None) as batch_op:
        batch_op.drop_constraint('fk_subscription_item_pending_variant', type_='foreignkey')
        batch_op.drop_column('pending_unit_price')
        batch_op.drop_column('pending_quantity')
        batch_op.drop_column('pending_variant_id')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_column('paused_until')
        batch_op.drop_column('version')
    op.drop_index('ix_subscription_event_subscription', table_name='subscription_event')
    op.drop_table('subscription_event')
