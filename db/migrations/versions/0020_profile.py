"""profile: a user's phone, time zone and custom field values; the address book; custom profile fields

Revision ID: 0020_profile
Revises: 0019_support
Create Date: 2026-12-07 21:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0020_profile'
down_revision: str | Sequence[str] | None = '0019_support'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('profile_values', sa.JSON(), nullable=True))
    op.create_table(
        'user_address',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('BILLING', 'SHIPPING', name='addresskind', native_enum=False, length=32,
                                  create_constraint=False), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=True),
        sa.Column('recipient', sa.String(length=200), nullable=True),
        sa.Column('line1', sa.String(length=200), nullable=False),
        sa.Column('line2', sa.String(length=200), nullable=True),
        sa.Column('city', sa.String(length=100), nullable=False),
        sa.Column('region', sa.String(length=100), nullable=True),
        sa.Column('postal_code', sa.String(length=20), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_user_address_user_id'), 'user_address', ['user_id'], unique=False)
    op.create_table(
        'profile_field',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('type', sa.Enum('TEXT', 'NUMBER', 'DATE', 'CHOICE', name='profilefieldtype', native_enum=False,
                                  length=32, create_constraint=False), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('profile_field')
    op.drop_index(op.f('ix_user_address_user_id'), table_name='user_address')
    op.drop_table('user_address')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('profile_values')
        batch_op.drop_column('time_zone')
        batch_op.drop_column('phone')
