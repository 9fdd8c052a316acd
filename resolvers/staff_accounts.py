"""Staff manage customer accounts, their locations and the locations' addresses."""
from dataclasses import dataclass, field
from typing import Any

from db.models import Account, Location
from domain.back_office import BackOfficeErrorCode as E
from domain.back_office import accounts
from resolvers.context import Context
from resolvers.errors import UserError
from resolvers.globalid import decode_or_reject
from resolvers.mutation import mutation


@dataclass
class AccountPayload:
    account: Account | None = None
    location: Location | None = None
    user_errors: list[UserError] = field(default_factory=list)


@mutation("accountCreate", AccountPayload, audit="account.create")
async def account_create(ctx: Context, s: Any, changes: dict[str, Any]) -> dict[str, Any]:
    return {"account": await accounts.account_create(s, ctx.actor, ctx.now, changes)}


@mutation("accountUpdate", AccountPayload, audit="account.update")
async def account_update(ctx: Context, s: Any, account_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "id")
    return {"account": await accounts.account_update(s, ctx.actor, ctx.now, aid, changes)}


@mutation("locationCreate", AccountPayload, audit="location.create")
async def location_create(ctx: Context, s: Any, account_id: str, name: str,
                          addresses: list[dict[str, Any]]) -> dict[str, Any]:
    aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
    account, location = await accounts.location_create(s, ctx.actor, ctx.now, aid, name, addresses)
    return {"account": account, "location": location}


@mutation("locationUpdate", AccountPayload, audit="location.update")
async def location_update(ctx: Context, s: Any, location_id: str, name: str | None,
                          addresses: list[dict[str, Any]] | None,
                          exemption: tuple[bool, str | None] | None = None) -> dict[str, Any]:
    lid = decode_or_reject(location_id, "Location", E.NOT_FOUND, "input", "id")
    account, location = await accounts.location_update(s, ctx.actor, ctx.now, lid, name, addresses, exemption)
    return {"account": account, "location": location}
