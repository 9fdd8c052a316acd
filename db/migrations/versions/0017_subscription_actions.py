"""subscription actions: a subscription's kind (a plan or a recurring order)

Revision ID: 0017_subscription_actions
Revises: 0016_renewals
Create Date: 2026-12-07 20:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017_subscription_actions'
down_revision: str | Sequence[str] | None = '0016_renewals'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('PLAN', 'RECURRING_ORDER', name='subscriptionkind',
                                                      native_enum=False, length=32),
                                      server_default='PLAN', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_column('kind')
