"""Invoices, payments and credit notes (read side)."""
from db.repositories.billing import CreditNoteFilter, CreditNoteRepository, InvoiceFilter, InvoiceRepository
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context


async def invoices(ctx: Context, filter_: InvoiceFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:Invoice")
    return await paginate(ctx, lambda s: InvoiceRepository(s, scope), filter_, window)


async def credit_notes(ctx: Context, filter_: CreditNoteFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:CreditNote")
    return await paginate(ctx, lambda s: CreditNoteRepository(s, scope), filter_, window)
