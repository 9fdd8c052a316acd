"""OAuth clients of an account: register with scopes, list, revoke."""
from typing import Any

from db.models import OAuthClient
from db.repositories.clients import OAuthClientRepository, oauth_clients_of
from domain.identity import oauth
from permissions.policy import POLICY
from resolvers.context import Context
from resolvers.identity import env
from resolvers.invitations import account_for
from resolvers.mutation import mutation, require
from resolvers.rows import find_locked


def known_scopes() -> frozenset[str]:
    """Every scope the policy table names: a scope means exactly the entries that carry it."""
    return frozenset(r.oauth_scope for r in POLICY.values() if r.oauth_scope)


@mutation("oauthClientCreate", audit="oauth_client.create")
async def create(ctx: Context, s: Any, account_gid: str, name: str, scopes: list[str]) -> dict[str, Any]:
    account = await account_for(ctx, s, account_gid, "Mutation.oauthClientCreate")
    client, secret = await oauth.create_client(s, env(ctx), account.id, name, scopes[:50], known_scopes())  # type: ignore[arg-type]
    return {"client": client, "client_secret": secret}


@mutation("oauthClientRevoke", audit="oauth_client.revoke", not_found="OAuth client")
async def revoke(ctx: Context, s: Any, client_gid: str) -> dict[str, Any]:
    found = await find_locked(OAuthClientRepository(s, ctx.scope("rows:OAuthClient")), client_gid, "OAuthClient",
                              "OAuth client")
    require(ctx, "Mutation.oauthClientRevoke", found.account_id)
    return {"client": oauth.revoke_client(s, env(ctx), found)}


async def clients_of(ctx: Context, account_id: int) -> list[OAuthClient]:
    async with ctx.db.session() as s:
        return await oauth_clients_of(s, ctx.scope("rows:OAuthClient"), account_id)
