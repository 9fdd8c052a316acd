"""invoicepay: payments of several invoices, failed payments' decline codes, receipts

Revision ID: 0013_invoicepay
Revises: 0012_statements
Create Date: 2026-12-07 19:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013_invoicepay'
down_revision: str | Sequence[str] | None = '0012_statements'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('payment') as batch:
        batch.add_column(sa.Column('group_key', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('decline_code', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('card_brand', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('card_last4', sa.String(length=4), nullable=True))
        batch.add_column(sa.Column('receipt_number', sa.String(length=32), nullable=True))
        batch.create_index('ix_payment_group_key', ['group_key'])
        batch.create_index('ix_payment_receipt_number', ['receipt_number'])


def downgrade() -> None:
    with op.batch_alter_table('payment') as batch:
        batch.drop_index('ix_payment_receipt_number')
        batch.drop_index('ix_payment_group_key')
        for column in ('receipt_number', 'card_last4', 'card_brand', 'decline_code', 'group_key'):
            batch.drop_column(column)
