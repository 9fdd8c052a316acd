"""Invoices, payments and credit notes (read side): the invoice search, what is due per currency,
statements of account, and the CSV exports streamed batch by batch."""
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from itertools import groupby

from db.models import Account
from db.repositories.accounts import AccountRepository
from db.repositories.billing import (CreditNoteFilter, CreditNoteRepository, DueTotals, InvoiceFilter,
                                     InvoiceRepository, sort_key_values)
from db.repositories import statements as movements
from db.repositories.payments import PaymentFilter, PaymentRepository
from db.repositories.statements import StatementRepository
from domain import exports
from domain import statements as st
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from permissions.policy import rule
from resolvers.errors import bad_input
from resolvers.globalid import decode_as

MAX_SEARCH = 200
# Rows per statement of an export: memory stays bounded by a batch whatever the export's size.
EXPORT_BATCH = 1000
LINE_EXPORT_BATCH = 200  # invoices per batch of the lines export (a few lines each)
_KINDS = {movements.INVOICE: st.EntryKind.INVOICE, movements.CREDIT_NOTE: st.EntryKind.CREDIT_NOTE,
          movements.REFUND: st.EntryKind.REFUND, movements.CREDIT_PAID_OUT: st.EntryKind.REFUND,
          movements.PAYMENT: st.EntryKind.PAYMENT, movements.ADJUSTMENT: st.EntryKind.ADJUSTMENT}


def checked_filter(f: InvoiceFilter) -> InvoiceFilter:
    for name in ("search", "number", "order_number", "po_number"):
        if len(getattr(f, name) or "") > MAX_SEARCH:
            raise bad_input(f"{name} is limited to {MAX_SEARCH} characters")
    return f


async def invoices(ctx: Context, filter_: InvoiceFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:Invoice")
    return await paginate(ctx, lambda s: InvoiceRepository(s, scope), checked_filter(filter_), window)


async def invoice_totals(ctx: Context, filter_: InvoiceFilter) -> list[DueTotals]:
    """What the open invoices among those the filter finds owe, per currency."""
    async with ctx.db.session() as session:
        return await InvoiceRepository(session, ctx.scope("rows:Invoice")).due_totals(checked_filter(filter_),
                                                                                       ctx.now.date())


def statement_period(start: date, end: date) -> st.Period:
    try:
        return st.period(start, end)
    except st.BadPeriod as e:
        raise bad_input(str(e)) from None


def statement_currency(account: Account, currency: str | None) -> str:
    """The currency asked for (the account's by default): three letters, or BAD_USER_INPUT."""
    currency = (currency or account.currency).upper()
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise bad_input("currency is an ISO 4217 code such as USD")
    return currency


def _entry(row: list) -> st.Entry:
    kind, id_, at, reference, invoice_number, amount = row
    return st.Entry(_KINDS[kind], at, reference, invoice_number, amount, id_)


async def _opening(ctx: Context, account: Account, currency: str, span: st.Period) -> dict[st.EntryKind, Decimal]:
    async with ctx.db.session() as session:
        sums = await StatementRepository(session, ctx.scope("rows:Invoice")).sums_before(
            account.id, currency, span.starts_at)  # type: ignore[arg-type]
    before = {kind: Decimal(0) for kind in st.EntryKind}
    for kind, total in sums.items():
        before[_KINDS[kind]] += total
    return before


async def statement(ctx: Context, account: Account, span: st.Period, currency: str | None) -> st.Statement:
    """The account's statement for the period in `currency` (the account's own by default): two
    statements, whatever the number of lines."""
    currency = statement_currency(account, currency)
    before = await _opening(ctx, account, currency, span)
    async with ctx.db.session() as session:
        rows = await StatementRepository(session, ctx.scope("rows:Invoice")).movements(
            account.id, currency, span.starts_at, span.ends_before)  # type: ignore[arg-type]
    return st.build(account.id, currency, span, before, map(_entry, rows))  # type: ignore[arg-type]


async def statement_csv(ctx: Context, account: Account, span: st.Period, currency: str) -> AsyncIterator[str]:
    """The statement as CSV, its movements read EXPORT_BATCH at a time (`currency` checked by
    statement_currency)."""
    running = st.Running(currency, st.opening_balance(await _opening(ctx, account, currency, span), currency))
    yield exports.csv_text([exports.STATEMENT_COLUMNS, exports.opening_row(span, currency, running.opening)])
    after = None
    async with ctx.db.session() as session:  # one connection for the export (see _invoice_batches)
        repo = StatementRepository(session, ctx.scope("rows:Invoice"))
        while True:
            rows = await repo.movements(account.id, currency, span.starts_at, span.ends_before,  # type: ignore[arg-type]
                                        after, EXPORT_BATCH)
            if rows:
                yield exports.csv_text(exports.statement_rows(running.lines(map(_entry, rows)), currency))
                after = (rows[-1][2], rows[-1][0], rows[-1][1])
            if len(rows) < EXPORT_BATCH:
                break
    yield exports.csv_text([exports.closing_row(span, running)])


async def invoices_csv(ctx: Context, filter_: InvoiceFilter) -> AsyncIterator[str]:
    """The invoices the filter (checked_filter) finds, in its order, as CSV: EXPORT_BATCH rows per
    statement."""
    yield exports.header(exports.INVOICE_COLUMNS)
    async with ctx.db.session() as session:
        repo = InvoiceRepository(session, ctx.scope("rows:Invoice"))
        async for batch in _invoice_batches(repo, filter_, EXPORT_BATCH):
            yield exports.csv_text(exports.invoice_rows(batch))


async def invoice_lines_csv(ctx: Context, filter_: InvoiceFilter) -> AsyncIterator[str]:
    """The lines of the invoices the filter finds, invoice by invoice in its order: two
    statements per LINE_EXPORT_BATCH invoices."""
    yield exports.header(exports.LINE_COLUMNS)
    async with ctx.db.session() as session:
        repo = InvoiceRepository(session, ctx.scope("rows:Invoice"))
        async for batch in _invoice_batches(repo, filter_, LINE_EXPORT_BATCH):
            lines = await repo.lines_of(batch)
            by_invoice = {k: list(g) for k, g in groupby(lines, key=lambda line: line.invoice_id)}
            yield exports.csv_text(row for b in batch for row in exports.line_rows(b, by_invoice.get(b.id, [])))


async def _invoice_batches(repo: InvoiceRepository, filter_: InvoiceFilter, size: int) -> AsyncIterator[list]:
    """The invoices in batches of `size`, each read after the one before was written out: only a
    batch and its last sort keys are held. The export's one session keeps one connection (a
    checkout and rollback per batch cost more than the batch's own read)."""
    after = None
    while True:
        batch = await repo.export_batch(filter_, size, after)
        if batch:
            yield batch
        if len(batch) < size:
            return
        after = sort_key_values(batch[-1], filter_.sort)


def may_read_invoices(ctx: Context) -> bool:
    """Whether the caller may see invoices of any account (ADMIN, ACCOUNTS_PAYABLE, invoices:read)."""
    scope = ctx.scope("rows:Invoice")
    return scope.everything or bool(scope.accounts)


async def visible_account(ctx: Context, account_gid: str) -> Account | None:
    """The account of this global ID if the caller is one of its members (or staff)."""
    account_id = decode_as(account_gid, "Account")
    async with ctx.db.session() as session:
        return (await AccountRepository(session, ctx.scope("rows:Account")).get_many([account_id])).get(account_id)


def may_read_statement(ctx: Context, account: Account) -> bool:
    return ctx.caller.allows(rule("Account.statement"), account.id)


async def credit_notes(ctx: Context, filter_: CreditNoteFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:CreditNote")
    return await paginate(ctx, lambda s: CreditNoteRepository(s, scope), filter_, window)


async def payments(ctx: Context, filter_: PaymentFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:Invoice")
    return await paginate(ctx, lambda s: PaymentRepository(s, scope), filter_, window)
