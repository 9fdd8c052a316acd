"""Invoices and payments (read side)."""
from db.repositories.billing import InvoiceFilter, InvoiceRepository
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context


async def invoices(ctx: Context, filter_: InvoiceFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:Invoice")
    return await paginate(ctx, lambda s: InvoiceRepository(s, scope), filter_, window)
