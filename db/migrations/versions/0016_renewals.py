"""renewals: one row per billed subscription cycle (unique per period start), with dunning state

Revision ID: 0016_renewals
Revises: 0015_checkout
Create Date: 2026-12-07 20:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0016_renewals'
down_revision: str | Sequence[str] | None = '0015_checkout'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('subscription_cycle',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('subscription_id', sa.Integer(), nullable=False),
                    sa.Column('period_start', db.types.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('period_end', db.types.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('invoice_id', sa.Integer(), nullable=True),
                    sa.Column('amount', db.types.Amount(precision=18, scale=4), nullable=False),
                    sa.Column('attempts', sa.Integer(), nullable=False),
                    sa.Column('next_retry_at', db.types.UTCDateTime(timezone=True), nullable=True),
                    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
                    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('subscription_id', 'period_start', name='uq_subscription_cycle_period'))
    op.create_index('ix_subscription_cycle_retry', 'subscription_cycle', ['next_retry_at'])


def downgrade() -> None:
    op.drop_index('ix_subscription_cycle_retry', table_name='subscription_cycle')
    op.drop_table('subscription_cycle')
