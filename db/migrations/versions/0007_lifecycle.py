"""invoice lifecycle: drafts without a number, credit notes, gapless number series, account credit

Revision ID: 0007_lifecycle
Revises: 0006_one_invoice_per_order
Create Date: 2026-12-07 18:22:28.355398
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = '0007_lifecycle'
down_revision: str | Sequence[str] | None = '0006_one_invoice_per_order'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document_sequence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series', 'year', name='uq_document_sequence_series_year')
    )
    op.create_table('credit_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('return_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('ISSUED', 'VOID', name='creditnotestatus', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Enum('CORRECTION', 'ORDER_CHANGE', 'RETURN', 'GOODWILL', 'DUPLICATE', 'REISSUE', 'ORDER_CANCELLED', name='creditnotereason', native_enum=False, length=32), nullable=False),
    sa.Column('memo', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('subtotal', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('tax', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('total', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('amount_applied', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('amount_credited', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('amount_refunded', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('voided_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ),
    sa.ForeignKeyConstraint(['return_id'], ['return_request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.create_index('ix_credit_note_account_issued', ['account_id', 'issued_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_return_id'), ['return_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_status'), ['status'], unique=False)

    op.create_table('account_credit_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('amount', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('kind', sa.Enum('CREDIT_NOTE', 'APPLIED_TO_INVOICE', 'REFUNDED', 'ADJUSTMENT', name='accountcreditkind', native_enum=False, length=32), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('memo', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_note.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account_credit_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_account_credit_account_currency', ['account_id', 'currency', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_credit_transaction_credit_note_id'), ['credit_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_credit_transaction_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('credit_note_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=False),
    sa.Column('invoice_line_id', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('amount', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('tax', db.types.Amount(precision=18, scale=4), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_note.id'], ),
    sa.ForeignKeyConstraint(['invoice_line_id'], ['invoice_line.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credit_note_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_line_credit_note_id'), ['credit_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_line_invoice_line_id'), ['invoice_line_id'], unique=False)

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('amount_credited', db.types.Amount(precision=18, scale=4), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('amount_from_credit', db.types.Amount(precision=18, scale=4), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('finalized_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voided_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('uncollectible_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reissued_from_id', sa.Integer(), nullable=True))
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=32),
               nullable=True)
        batch_op.drop_constraint('uq_invoice_order', type_='unique')
        batch_op.create_unique_constraint('uq_invoice_order_sequence', ['order_id', 'order_sequence'])
        batch_op.create_unique_constraint('uq_invoice_reissued_from', ['reissued_from_id'])
        batch_op.create_foreign_key('fk_invoice_reissued_from', 'invoice', ['reissued_from_id'], ['id'])
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_line_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoice_line_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_foreign_key('fk_invoice_line_order_line', 'order_line', ['order_line_id'], ['id'])
    # Lines written before the link: the order's line of the same variant.
    op.execute("UPDATE invoice_line SET order_line_id = (SELECT MIN(ol.id) FROM order_line ol JOIN invoice i "
               "ON i.order_id = ol.order_id WHERE i.id = invoice_line.invoice_id "
               "AND ol.variant_id = invoice_line.variant_id)")
    # Invoices issued before drafts existed were finalised when they were issued.
    op.execute("UPDATE invoice SET finalized_at = issued_at WHERE status <> 'DRAFT'")
    op.execute("UPDATE invoice SET voided_at = issued_at WHERE status = 'VOID'")


def downgrade() -> None:
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invoice_line_order_line', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoice_line_order_line_id'))
        batch_op.drop_column('order_line_id')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invoice_reissued_from', type_='foreignkey')
        batch_op.drop_constraint('uq_invoice_reissued_from', type_='unique')
        batch_op.drop_constraint('uq_invoice_order_sequence', type_='unique')
        batch_op.create_unique_constraint('uq_invoice_order', ['order_id'])
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=32),
               nullable=False)
        batch_op.drop_column('reissued_from_id')
        batch_op.drop_column('uncollectible_at')
        batch_op.drop_column('voided_at')
        batch_op.drop_column('finalized_at')
        batch_op.drop_column('amount_from_credit')
        batch_op.drop_column('amount_credited')
        batch_op.drop_column('order_sequence')

    with op.batch_alter_table('credit_note_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_line_invoice_line_id'))
        batch_op.drop_index(batch_op.f('ix_credit_note_line_credit_note_id'))

    op.drop_table('credit_note_line')
    with op.batch_alter_table('account_credit_transaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_credit_transaction_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_account_credit_transaction_credit_note_id'))
        batch_op.drop_index('ix_account_credit_account_currency')

    op.drop_table('account_credit_transaction')
    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_status'))
        batch_op.drop_index(batch_op.f('ix_credit_note_return_id'))
        batch_op.drop_index(batch_op.f('ix_credit_note_location_id'))
        batch_op.drop_index(batch_op.f('ix_credit_note_invoice_id'))
        batch_op.drop_index('ix_credit_note_account_issued')

    op.drop_table('credit_note')
    op.drop_table('document_sequence')
