"""Viewer, accounts, locations and members."""
from db.models import Account, Location, Membership
from db.repositories.accounts import AccountRepository
from db.repositories.users import memberships_of
from permissions.policy import POLICY, Rule
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import bad_input


async def accounts(ctx: Context, search: str | None, window: Window) -> Connection:
    if search is not None and len(search) > 200:
        raise bad_input("search is limited to 200 characters")
    return await paginate(ctx, lambda s: AccountRepository(s, ctx.scope("rows:Account")), search, window)


async def viewer_memberships(ctx: Context) -> list[Membership]:
    if ctx.caller.user_id is None:
        return []
    async with ctx.db.session() as session:
        return await memberships_of(session, ctx.caller.user_id)


async def viewer_accounts(ctx: Context) -> list[Account]:
    ids = sorted(ctx.caller.grants)
    found = await ctx.loaders.accounts.account.load_many(ids)
    return sorted([a for a in found if a is not None], key=lambda a: (a.name, a.id))


async def viewer_locations(ctx: Context) -> list[Location]:
    per_account = await ctx.loaders.accounts.locations.load_many(sorted(ctx.caller.grants))
    return [loc for locs in per_account for loc in locs]


def access_rules() -> list[tuple[str, Rule]]:
    """The policy's mutations and guarded fields, in its order: what the portal shows a caller
    reads the same table the API enforces."""
    return [(name, rule) for name, rule in POLICY.items() if rule.kind in {"field", "mutation"}]
