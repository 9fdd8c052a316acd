"""checkout: card payment at placement

Revision ID: 0015_checkout
Revises: 0014_subscriptions
Create Date: 2026-12-07 19:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015_checkout'
down_revision: str | Sequence[str] | None = '0014_subscriptions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('account') as batch_op:
        batch_op.add_column(sa.Column('card_required', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('customer_order') as batch_op:
        batch_op.add_column(sa.Column('payment_method_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_customer_order_payment_method', 'payment_method', ['payment_method_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('customer_order') as batch_op:
        batch_op.drop_constraint('fk_customer_order_payment_method', type_='foreignkey')
        batch_op.drop_column('payment_method_id')
    with op.batch_alter_table('account') as batch_op:
        batch_op.drop_column('card_required')
