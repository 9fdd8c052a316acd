"""Buyers' finance people change their account's billing details."""
from dataclasses import dataclass, field
from typing import Any

from db.models import Account
from db.repositories.accounts import AccountRepository
from domain import billing_details
from domain.billing_details import BillingDetailsErrorCode as E
from resolvers.context import Context
from resolvers.mutation import mutation, require
from resolvers.rows import find_row


@dataclass
class BillingDetailsPayload:
    account: Account | None = None
    user_errors: list[Any] = field(default_factory=list)


@mutation("billingDetailsUpdate", BillingDetailsPayload, audit="account.billing_details")
async def billing_details_update(ctx: Context, s: Any, account_gid: str, changes: dict[str, Any]) -> dict[str, Any]:
    account = await find_row(AccountRepository(s, ctx.scope("rows:Account")), account_gid, "Account",
                             E.ACCOUNT_NOT_FOUND, "accountId")
    require(ctx, "Mutation.billingDetailsUpdate", account.id)
    return {"account": await billing_details.update(s, account, changes, ctx.actor, ctx.now)}
