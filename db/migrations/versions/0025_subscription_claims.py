"""subscription claims: partial indexes the billing worker claims due subscriptions and notices by

Without them a claim read subscriptions in id order past every one not due (cancelled, billed
already): its cost grew with the table and, during a long run, with the renewals done.

Revision ID: 0025_subscription_claims
Revises: 0024_webhooks
Create Date: 2026-12-08 01:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025_subscription_claims'
down_revision: str | Sequence[str] | None = '0024_webhooks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in db/models/subscriptions.py when this was written.
BILLING_AT = "coalesce(next_billing_at, current_period_end)"
LIVE = "status IN ('ACTIVE', 'TRIALING')"
NOT_NOTIFIED = f"(notified_for IS NULL OR notified_for < {BILLING_AT})"
INDEXES = [("ix_subscription_billing_due", sa.text(BILLING_AT), LIVE),
           ("ix_subscription_pause_end", "paused_until", "status = 'PAUSED'"),
           ("ix_subscription_notice_due", sa.text(BILLING_AT), f"{LIVE} AND {NOT_NOTIFIED}")]


def upgrade() -> None:
    for name, key, where in INDEXES:
        op.create_index(name, 'subscription', [key, 'id'], unique=False,
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade() -> None:
    for name, _key, _where in INDEXES:
        op.drop_index(name, table_name='subscription')
