"""Changing a member's roles (ADMIN of the account)."""
from db.enums import Role
from db.repositories.accounts import MembershipRepository
from db.repositories.members import membership_for_update
from domain.identity import members
from permissions.policy import rule
from resolvers.context import Context
from resolvers.errors import forbidden, not_found, unauthenticated
from resolvers.globalid import decode_as
from resolvers.identity import Payload, attempt, codes, env, payload

MembershipErrorCode = codes("MembershipErrorCode", "INVALID_ROLES", "INVALID_LOCATION", "LAST_ADMIN")


async def set_roles(ctx: Context, membership_gid: str, grants: list[tuple[Role, list[str] | None]]) -> Payload:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    pk = decode_as(membership_gid, "Membership")
    async with ctx.db.session() as s:
        visible = await MembershipRepository(s, ctx.scope("rows:Membership")).get(pk)
    if visible is None:
        raise not_found("membership")
    if not ctx.caller.allows(rule("Mutation.membershipRolesSet"), visible.account_id):
        raise forbidden()
    pairs: list[tuple[Role, int | None]] = []
    for role, locations in grants:
        pairs.extend([(role, None)] if not locations else [(role, decode_as(x, "Location")) for x in locations[:100]])

    async def flow(s):  # type: ignore[no-untyped-def]
        return await members.set_roles(s, env(ctx), await membership_for_update(s, pk), pairs)
    found, error = await attempt(ctx, flow)
    return payload(error, MembershipErrorCode, membership=found)
