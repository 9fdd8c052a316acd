"""subsb: recurring orders place an order each cycle (the cycle names it, the subscription the buyer
it is placed for), and the renewal notices sent (per billing date; per card and expiry)

Revision ID: 0023_recurring_orders
Revises: 0022_subscription_retention
Create Date: 2026-12-07 21:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0023_recurring_orders'
down_revision: str | Sequence[str] | None = '0022_subscription_retention'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('placed_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notified_for', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_subscription_placed_by_user_id_user', 'user', ['placed_by_user_id'], ['id'])
    with op.batch_alter_table('subscription_cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_subscription_cycle_order_id_customer_order', 'customer_order',
                                    ['order_id'], ['id'])
        batch_op.create_unique_constraint('uq_subscription_cycle_order_id', ['order_id'])
    with op.batch_alter_table('payment_method', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_notified_for', sa.String(length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('payment_method', schema=None) as batch_op:
        batch_op.drop_column('expiry_notified_for')
    with op.batch_alter_table('subscription_cycle', schema=None) as batch_op:
        batch_op.drop_constraint('uq_subscription_cycle_order_id', type_='unique')
        batch_op.drop_constraint('fk_subscription_cycle_order_id_customer_order', type_='foreignkey')
        batch_op.drop_column('order_id')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_constraint('fk_subscription_placed_by_user_id_user', type_='foreignkey')
        batch_op.drop_column('notified_for')
        batch_op.drop_column('placed_by_user_id')
