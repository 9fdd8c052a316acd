"""invoice reminders: what the worker has reminded of, once per invoice and kind

Revision ID: 0011_invoicemail
Revises: 0010_lifecycle
Create Date: 2026-12-07 18:23:24.031732
"""
from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0011_invoicemail'
down_revision: str | Sequence[str] | None = '0010_lifecycle'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('invoice_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('DUE_SOON', 'OVERDUE', name='invoicereminderkind', native_enum=False, length=32), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id', 'kind', name='uq_invoice_reminder_kind')
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_status_due', ['status', 'due_date'], unique=False)

    # Invoices overdue before reminders existed are not reminded of now, all at once: customers
    # would get a mail for every old invoice the merchant has been following up by hand.
    now = datetime.now(timezone.utc)
    reminder = sa.table('invoice_reminder', sa.column('invoice_id'), sa.column('kind'), sa.column('recipients'),
                        sa.column('created_at', db.types.UTCDateTime()))
    invoice = sa.table('invoice', sa.column('id'), sa.column('status'), sa.column('due_date', sa.Date()))
    op.execute(reminder.insert().from_select(
        ['invoice_id', 'kind', 'recipients', 'created_at'],
        sa.select(invoice.c.id, sa.literal('OVERDUE'), sa.literal(0), sa.literal(now, db.types.UTCDateTime()))
        .where(invoice.c.status == 'OPEN', invoice.c.due_date < now.date())))


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_status_due')

    op.drop_table('invoice_reminder')
