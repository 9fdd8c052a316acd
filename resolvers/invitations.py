"""Invitations to an account, and accepting them."""
from typing import Any

from db.enums import Role
from db.models import Account, Invitation
from db.repositories.accounts import AccountRepository
from db.repositories.invitations import InvitationRepository, pending_invitations
from domain.identity import invitations
from resolvers.auth import signed_in
from resolvers.context import Context
from resolvers.errors import not_found
from resolvers.globalid import decode_as
from resolvers.identity import env, throttle
from resolvers.mutation import mutation, require
from resolvers.rows import find_locked


async def account_for(ctx: Context, s: Any, account_gid: str, key: str) -> Account:
    """The account, when the caller may do `key` on it: NOT_FOUND when it cannot see it at all."""
    account = await AccountRepository(s, ctx.scope("rows:Account")).get(decode_as(account_gid, "Account"))
    if account is None:
        raise not_found("account")
    require(ctx, key, account.id)
    return account


def role_grants(grants: list[tuple[Role, list[str] | None]]) -> list[tuple[Role, int | None]]:
    """(role, location id) pairs: account-wide when a role names no locations."""
    pairs: list[tuple[Role, int | None]] = []
    for role, locations in grants:
        pairs.extend([(role, None)] if not locations else [(role, decode_as(x, "Location")) for x in locations[:100]])
    return pairs


@mutation("invitationCreate", audit="invitation.create")
async def create(ctx: Context, s: Any, account_gid: str, email: str,
                 grants: list[tuple[Role, list[str] | None]]) -> dict[str, Any]:
    account = await account_for(ctx, s, account_gid, "Mutation.invitationCreate")
    return {"invitation": await invitations.invite(s, env(ctx), account, email, role_grants(grants))}


@mutation("invitationRevoke", audit="invitation.revoke", not_found="invitation")
async def revoke(ctx: Context, s: Any, invitation_gid: str) -> dict[str, Any]:
    found = await find_locked(InvitationRepository(s, ctx.scope("rows:Invitation")), invitation_gid, "Invitation",
                              "invitation")
    require(ctx, "Mutation.invitationRevoke", found.account_id)
    return {"invitation": await invitations.revoke(s, env(ctx), found)}


@mutation("invitationAccept", audit="invitation.accept", failed_audit="auth.invitation_accept_failed")
async def accept(ctx: Context, s: Any, token: str, name: str | None, password: str | None) -> dict[str, Any]:
    invitations.check_accept_input(token, name, password)
    await throttle(ctx, "verify")
    return await signed_in(ctx, s, await invitations.accept(s, env(ctx), token, name, password))


async def pending_of(ctx: Context, account_id: int) -> list[Invitation]:
    async with ctx.db.session() as s:
        return await pending_invitations(s, ctx.scope("rows:Invitation"), [account_id], ctx.now)
