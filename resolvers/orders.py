"""Order history and order detail."""
from db.repositories.orders import OrderFilter, OrderRepository
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context


async def order_history(ctx: Context, filter_: OrderFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:Order")
    return await paginate(ctx, lambda s: OrderRepository(s, scope), filter_, window)

