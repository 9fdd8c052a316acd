"""The audit log as a filtered connection: ADMIN reads its accounts' events, staff read all."""
from db.repositories.audit import AuditFilter, AuditRepository
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import unauthenticated


async def audit_events(ctx: Context, f: AuditFilter, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    return await paginate(ctx, lambda s: AuditRepository(s, ctx.scope("rows:AuditEvent")), f, window)
