"""Subscriptions (read side)."""
from db.repositories.subscriptions import SubscriptionFilter, SubscriptionRepository
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context


async def subscriptions(ctx: Context, filter_: SubscriptionFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:Subscription")
    return await paginate(ctx, lambda s: SubscriptionRepository(s, scope), filter_, window)
