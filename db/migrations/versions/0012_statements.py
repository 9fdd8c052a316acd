"""statements: payments of an account by time

Revision ID: 0012_statements
Revises: 0011_invoicemail
Create Date: 2026-12-07 19:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0012_statements'
down_revision: str | Sequence[str] | None = '0011_invoicemail'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A statement reads an account's payments of a period, in batches by time: by this index,
    # not by a scan of all the account's payments.
    op.create_index('ix_payment_account_created', 'payment', ['account_id', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_payment_account_created', table_name='payment')
