"""Integration clients (OAuth 2 client credentials) of an account."""
from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.identity.errors import OAuthClientErrorCode
from resolvers import oauth_clients as resolve
from resolvers.globalid import encode
from schema.common import UserError, user_errors

OAuthClientErrorCodeEnum = strawberry.enum(OAuthClientErrorCode, name="OAuthClientErrorCode")


@strawberry.type(description="A procurement system or other integration. It gets tokens at POST /oauth/token "
                             "with its client id and secret (client credentials grant).")
class OAuthClient:
    id: strawberry.ID = strawberry.field(resolver=lambda root: strawberry.ID(encode("OAuthClient", root.id)))
    client_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@strawberry.type
class OAuthClientError(UserError):
    is_type_of = user_errors()
    code: OAuthClientErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class OAuthClientCreatePayload:
    client: OAuthClient | None
    client_secret: str | None = strawberry.field(description="Shown this once; only a hash is kept.")
    user_errors: list[OAuthClientError]


@strawberry.type
class OAuthClientRevokePayload:
    client: OAuthClient | None
    user_errors: list[OAuthClientError]


@strawberry.input
class OAuthClientCreateInput:
    account_id: strawberry.ID
    name: str
    scopes: list[str] = strawberry.field(description="E.g. orders:read, invoices:read, catalog:read; see "
                                                     "docs/permissions.md for what each allows.")


@strawberry.input
class OAuthClientRevokeInput:
    id: strawberry.ID


@strawberry.type
class OAuthClientMutations:
    @strawberry.mutation(description="Register an integration client for an account (ADMIN).")
    async def oauth_client_create(self, info: Info, input: OAuthClientCreateInput) -> OAuthClientCreatePayload:
        return await resolve.create(info.context, input.account_id, input.name, list(input.scopes))  # type: ignore[return-value]

    @strawberry.mutation(description="Revoke an integration client: its tokens stop working at once.")
    async def oauth_client_revoke(self, info: Info, input: OAuthClientRevokeInput) -> OAuthClientRevokePayload:
        return await resolve.revoke(info.context, input.id)  # type: ignore[return-value]
