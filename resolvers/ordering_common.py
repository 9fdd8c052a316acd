"""What the ordering resolvers share: one transaction per mutation with userErrors on expected
failures (nothing written), the caller's idempotency principal, the merchant's ordering settings."""
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from db.repositories.accounts import LocationRepository
from domain.ordering import ErrorCode, InvoiceOn, MerchantSettings, OrderingError, Problem
from permissions.policy import rule
from domain import audit
from resolvers.context import Context
from resolvers.errors import UserError, forbidden, unauthenticated
from resolvers.globalid import decode_as

T = TypeVar("T")


def user_errors(problems: list[Problem]) -> list[UserError]:
    out = []
    for p in problems:
        try:
            code = ErrorCode(p.code)
        except ValueError:
            code = ErrorCode.INVALID_INPUT
        out.append(UserError(p.message, code, p.field))
    return out


def error(code: str, message: str, *field: str) -> OrderingError:
    return OrderingError([Problem(code, message, list(field) or None)])


async def in_transaction(ctx: Context, work: Callable[[Any], Awaitable[T]],
                         action: str) -> tuple[T | None, list[UserError]]:
    """Run `work` in one transaction; an OrderingError rolls it back and becomes userErrors.
    Every mutation that commits is in the audit log: as `action` unless the domain recorded it."""
    require_signed_in(ctx)
    try:
        async with ctx.db.transaction() as session:
            result = await work(session)
            if not audit.was_recorded(session):
                audit.record(session, ctx.actor, action, ctx.now, account_id=getattr(result, "account_id", None),
                             target_type=type(result).__name__ if hasattr(result, "id") else None,
                             target_id=getattr(result, "id", None))
            return result, []
    except OrderingError as e:
        return None, user_errors(e.problems)


def require_signed_in(ctx: Context) -> None:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()


def require(ctx: Context, key: str, account_id: int, location_id: int | None = None,
            owner_user_id: int | None = None) -> None:
    """The policy entry `key` must allow the caller here; else a top-level FORBIDDEN error."""
    if not ctx.caller.allows(rule(key), account_id, location_id, owner_user_id):
        raise forbidden(f"Your role does not allow {key.removeprefix('Mutation.')} here")


def pk(global_id: str, type_name: str) -> int:
    """The primary key of an ID of `type_name`; malformed or of another type: BAD_USER_INPUT."""
    return decode_as(global_id, type_name)


async def visible_location(ctx: Context, session: Any, global_id: str, *field: str) -> Any:
    location_id = pk(global_id, "Location")
    location = await LocationRepository(session, ctx.scope("rows:Location")).get(location_id)
    if location is None:
        raise error("LOCATION_NOT_FOUND", "No location with that ID", *field)
    return location


def principal(ctx: Context) -> str:
    """Whose idempotency keys: a user's, or an integration client's (by its session)."""
    if ctx.caller.user_id is not None:
        return f"user:{ctx.caller.user_id}"
    return f"session:{ctx.caller.session_id}"


def merchant(ctx: Context) -> MerchantSettings:
    return MerchantSettings(invoice_on=InvoiceOn(getattr(ctx.settings, "invoice_on", "PLACEMENT")))
