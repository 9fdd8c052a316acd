"""OAuth clients of an account: register with scopes, list, revoke."""
from db.models import OAuthClient
from db.repositories.clients import oauth_clients_of, visible_oauth_client
from domain.identity import oauth
from permissions.policy import POLICY, rule
from resolvers.context import Context
from resolvers.errors import forbidden, not_found, unauthenticated
from resolvers.globalid import decode_as
from resolvers.identity import Payload, attempt, codes, env, payload
from resolvers.invitations import account_for

OAuthClientErrorCode = codes("OAuthClientErrorCode", "INVALID_NAME", "INVALID_SCOPE")


def known_scopes() -> frozenset[str]:
    """Every scope the policy table names: a scope means exactly the entries that carry it."""
    return frozenset(r.oauth_scope for r in POLICY.values() if r.oauth_scope)


async def create(ctx: Context, account_gid: str, name: str, scopes: list[str]) -> Payload:
    account = await account_for(ctx, account_gid, "Mutation.oauthClientCreate")
    allowed = known_scopes()

    async def flow(s):  # type: ignore[no-untyped-def]
        client, secret = oauth.create_client(s, env(ctx), account.id, name, scopes[:50], allowed)  # type: ignore[arg-type]
        await s.flush()
        oauth.record_created(s, env(ctx), client)
        return client, secret
    found, error = await attempt(ctx, flow)
    if error is not None or found is None:
        return payload(error, OAuthClientErrorCode)
    client, secret = found
    return payload(client=client, client_secret=secret)


async def revoke(ctx: Context, client_gid: str) -> Payload:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    pk = decode_as(client_gid, "OAuthClient")
    async with ctx.db.session() as s:
        found = await visible_oauth_client(s, ctx.scope("rows:OAuthClient"), pk)
    if found is None:
        raise not_found("OAuth client")
    if not ctx.caller.allows(rule("Mutation.oauthClientRevoke"), found.account_id):
        raise forbidden()

    async def flow(s):  # type: ignore[no-untyped-def]
        return oauth.revoke_client(s, env(ctx), await s.get(OAuthClient, pk, with_for_update=True))
    row, error = await attempt(ctx, flow)
    return payload(error, OAuthClientErrorCode, client=row)


async def clients_of(ctx: Context, account_id: int) -> list[OAuthClient]:
    async with ctx.db.session() as s:
        return await oauth_clients_of(s, ctx.scope("rows:OAuthClient"), account_id)
