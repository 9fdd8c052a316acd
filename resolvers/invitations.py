"""Invitations to an account, and accepting them."""
from db.enums import Role
from db.models import Account, Invitation
from db.repositories.accounts import AccountRepository
from db.repositories.invitations import pending_invitations, visible_invitation
from db.repositories.users import user_by_id
from domain.identity import invitations
from domain.identity.errors import AuthError
from permissions.policy import rule
from resolvers.auth import signed_in
from resolvers.context import Context
from resolvers.errors import forbidden, not_found, unauthenticated
from resolvers.globalid import decode_as
from resolvers.identity import Payload, attempt, codes, env, payload, throttle

InvitationErrorCode = codes("InvitationErrorCode", "INVALID_EMAIL", "INVALID_ROLES", "INVALID_LOCATION",
                            "ALREADY_MEMBER", "NOT_PENDING")
MUTATION_CREATE = "Mutation.invitationCreate"


async def account_for(ctx: Context, account_gid: str, key: str) -> Account:
    """The account, when the caller may do `key` on it: NOT_FOUND when it cannot see it at all."""
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    pk = decode_as(account_gid, "Account")
    async with ctx.db.session() as s:
        account = await AccountRepository(s, ctx.scope("rows:Account")).get(pk)
    if account is None:
        raise not_found("account")
    if not ctx.caller.allows(rule(key), account.id):
        raise forbidden()
    return account


async def create(ctx: Context, account_gid: str, email: str, grants: list[tuple[Role, list[str] | None]]) -> Payload:
    account = await account_for(ctx, account_gid, MUTATION_CREATE)
    pairs: list[tuple[Role, int | None]] = []
    for role, locations in grants:
        if not locations:
            pairs.append((role, None))
        else:
            pairs.extend((role, decode_as(loc, "Location")) for loc in locations[:100])
    if len(email) > 254:
        return payload(AuthError("INVALID_EMAIL", "Enter a valid email address", ["input", "email"]),
                       InvitationErrorCode)

    async def flow(s):  # type: ignore[no-untyped-def]
        inviter = await user_by_id(s, ctx.caller.user_id) if ctx.caller.user_id else None
        return await invitations.invite(s, env(ctx), account, inviter, email, pairs)
    found, error = await attempt(ctx, flow)
    return payload(error, InvitationErrorCode, invitation=found)


async def revoke(ctx: Context, invitation_gid: str) -> Payload:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    pk = decode_as(invitation_gid, "Invitation")
    async with ctx.db.session() as s:
        found = await visible_invitation(s, ctx.scope("rows:Invitation"), pk)
    if found is None:
        raise not_found("invitation")
    if not ctx.caller.allows(rule("Mutation.invitationRevoke"), found.account_id):
        raise forbidden()
    row, error = await attempt(ctx, lambda s: _revoke(s, ctx, pk))
    return payload(error, InvitationErrorCode, invitation=row)


async def _revoke(s, ctx: Context, pk: int) -> Invitation:  # type: ignore[no-untyped-def]
    row = await s.get(Invitation, pk, with_for_update=True)
    return await invitations.revoke(s, env(ctx), row)


async def accept(ctx: Context, token: str, name: str | None, password: str | None) -> Payload:
    if len(token) > 200 or (name and len(name) > 1000) or (password and len(password) > 1024):
        return await signed_in(ctx, None, AuthError("INVALID_INPUT", "An input is too long", ["input"]))
    await throttle(ctx, "verify")
    return await signed_in(ctx, *await attempt(ctx, lambda s: invitations.accept(s, env(ctx), token, name, password),
                                    "auth.invitation_accept_failed"))


async def pending_of(ctx: Context, account_id: int) -> list[Invitation]:
    async with ctx.db.session() as s:
        return await pending_invitations(s, ctx.scope("rows:Invitation"), [account_id], ctx.now)
