"""Mutation plumbing shared by the fulfilment, returns, requisition and staff resolvers:
the policy check, one transaction, and Rejected turned into userErrors."""
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import Problem, Rejected, reject
from permissions.policy import rule
from resolvers.context import Context
from resolvers.errors import UserError as UserErrorData
from resolvers.errors import forbidden, unauthenticated
from resolvers.globalid import decode_as

T = TypeVar("T")


def user_errors(e: Rejected) -> list[UserErrorData]:
    return [UserErrorData(p.message, p.code, list(p.field) if p.field else None) for p in e.problems]


def require_staff(ctx: Context, key: str) -> None:
    """Staff mutations: STAFF_ADMIN only. Everyone else gets a top-level FORBIDDEN and nothing runs."""
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    if not ctx.caller.allows(rule(key)):
        raise forbidden("Only merchant staff with STAFF_ADMIN may do this")


def require_signed_in(ctx: Context) -> None:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()


async def in_transaction(ctx: Context, payload: Callable[..., T],
                         work: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
                         on_conflict: Problem | None = None) -> T:
    """Run `work` in one transaction; its dict fills the payload. Rejected: userErrors, nothing written.

    `on_conflict`: the userError for a unique constraint that a concurrent writer won between our
    check and our insert (two staff creating the same SKU at once)."""
    try:
        async with ctx.db.transaction() as session:
            fields = await work(session)
    except Rejected as e:
        return payload(user_errors=user_errors(e))
    except IntegrityError:
        if on_conflict is None:
            raise
        return payload(user_errors=user_errors(Rejected(on_conflict)))
    return payload(**fields)


def decode_or_reject(global_id: str, type_name: str, code: StrEnum, *field: str) -> int:
    """A global ID of `type_name`, or a userError (malformed or of another type) at `field`."""
    try:
        return decode_as(global_id, type_name)
    except GraphQLError as e:
        raise reject(code, e.message, *field) from None


def check_text(value: str | None, limit: int, code: StrEnum, *field: str, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise reject(code, "This is required", *field)
        return None
    value = value.strip()
    if required and not value:
        raise reject(code, "This must not be empty", *field)
    if len(value) > limit:
        raise reject(code, f"At most {limit} characters", *field)
    return value or None


__all__ = ["Problem", "Rejected", "UserErrorData", "check_text", "decode_or_reject", "in_transaction", "reject",
           "require_signed_in", "require_staff", "user_errors"]
