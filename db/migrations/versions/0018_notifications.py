"""notification preferences per user and category, and used unsubscribe links

Revision ID: 0018_notifications
Revises: 0017_subscription_actions
Create Date: 2026-12-07 21:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0018_notifications'
down_revision: str | Sequence[str] | None = '0017_subscription_actions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'category', name='uq_notification_preference')
    )
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preference_user_id'), ['user_id'], unique=False)

    op.create_table('unsubscribe_use',
    sa.Column('message_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('used_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('message_id')
    )
    with op.batch_alter_table('unsubscribe_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unsubscribe_use_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unsubscribe_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unsubscribe_use_user_id'))
    op.drop_table('unsubscribe_use')
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preference_user_id'))
    op.drop_table('notification_preference')
