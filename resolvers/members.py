"""Changing a member's roles and spending limit (ADMIN of the account)."""
from decimal import Decimal
from typing import Any

from db.enums import Role
from db.repositories.accounts import MembershipRepository
from domain.identity import members
from resolvers.context import Context
from resolvers.errors import not_found
from resolvers.globalid import decode_as
from resolvers.identity import env
from resolvers.invitations import role_grants
from resolvers.mutation import mutation, require


@mutation("membershipRolesSet", audit="membership.roles_changed")
async def set_roles(ctx: Context, s: Any, membership_gid: str,
                    grants: list[tuple[Role, list[str] | None]]) -> dict[str, Any]:
    membership = await MembershipRepository(s, ctx.scope("rows:Membership")).get_locked(
        decode_as(membership_gid, "Membership"))
    if membership is None:
        raise not_found("membership")
    require(ctx, "Mutation.membershipRolesSet", membership.account_id)
    return {"membership": await members.set_roles(s, env(ctx), membership, role_grants(grants))}


@mutation("membershipSpendingLimitSet", audit="membership.spending_limit_changed")
async def set_spending_limit(ctx: Context, s: Any, membership_gid: str, amount: Decimal | None) -> dict[str, Any]:
    membership = await MembershipRepository(s, ctx.scope("rows:Membership")).get_locked(
        decode_as(membership_gid, "Membership"))
    if membership is None:
        raise not_found("membership")
    require(ctx, "Mutation.membershipSpendingLimitSet", membership.account_id)
    return {"membership": await members.set_spending_limit(s, env(ctx), membership, amount)}
