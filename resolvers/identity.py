"""What the identity resolvers share: the flow environment, rate limits, running a flow so that
its expected failures become userErrors (and failed sign-ins are still audited), and the
self-service permission check."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from domain import audit
from domain.identity.env import AuthEnv
from domain.identity.errors import AuthError
from domain.ratelimit import Attempt, Throttled
from i18n.locales import normalize_locale
from permissions.caller import CallerKind
from permissions.policy import rule
from resolvers.context import Context
from resolvers.errors import UserError, coded, forbidden, unauthenticated

T = TypeVar("T")


def codes(name: str, *values: str) -> type[StrEnum]:
    """A userErrors code enum for one group of mutations."""
    return StrEnum(name, {v: v for v in values})  # type: ignore[return-value]


def user_error(e: AuthError, enum: type[StrEnum]) -> UserError:
    # A code missing from the group's enum is a programming error: let it fail loudly in tests.
    return UserError(e.message, enum[e.code], e.field)


def env(ctx: Context) -> AuthEnv:
    return AuthEnv(now=ctx.now, actor=ctx.actor,
                   session_lifetime=timedelta(hours=ctx.settings.session_lifetime_hours),
                   frontend_url=ctx.settings.frontend_url, current_session_id=ctx.caller.session_id,
                   secret_key=ctx.settings.secret_key)


def request_locale(ctx: Context, given: str | None) -> str:
    if given:
        return normalize_locale(given)
    header = ctx.request.headers.get("accept-language", "") if ctx.request is not None else ""
    first = header.split(",", 1)[0].split(";", 1)[0].strip()
    return normalize_locale(first or None)


async def throttle(ctx: Context, action: str, subject: str | None = None) -> Attempt:
    """Count an attempt; THROTTLED (extensions.retryAfter, and a Retry-After header) when over.
    A guess (domain.ratelimit.GUESSES) then reports how it went: `await tried.settle(right)`."""
    if ctx.limiter is None:
        return Attempt()
    try:
        return await ctx.limiter.hit(action, ctx.now, subject=(subject or "").strip().lower()[:254] or None,
                                     ip=ctx.client_ip)
    except Throttled as e:
        if ctx.response is not None:
            ctx.response.headers["retry-after"] = str(e.retry_after)
        raise coded(f"Too many attempts: try again in {e.retry_after} seconds", "THROTTLED",
                    retryAfter=e.retry_after) from None


async def attempt(ctx: Context, flow: Callable[[AsyncSession], Awaitable[T]],
                  failed_action: str | None = None) -> tuple[T | None, AuthError | None]:
    """Run `flow` in a transaction. An AuthError rolls it back; its effects (a wrong code
    counted) and the failure's audit event are then committed on their own."""
    try:
        async with ctx.db.transaction() as session:
            return await flow(session), None
    except AuthError as e:
        if e.effects or failed_action:
            async with ctx.db.transaction() as session:
                for effect in e.effects:
                    await effect(session)
                if failed_action:
                    data = dict(e.audit)
                    target = data.pop("target_user_id", None)
                    audit.record(session, ctx.actor, failed_action, ctx.now, target_type="User" if target else None,
                                 target_id=target, code=e.code, **data)
        return None, e


def require_person(ctx: Context, key: str, *, delegated_ok: bool = False) -> int:
    """A signed-in person acting for itself (its sessions, its second factor); the user id.

    Integrations cannot; nor can sessions the merchant's backend made for one account (they did
    not prove the person's credentials), except to sign themselves out (`delegated_ok`)."""
    caller = ctx.caller
    if not caller.is_authenticated:
        raise unauthenticated("Sign in first")
    policy = rule(key)
    if caller.kind is CallerKind.INTEGRATION or caller.user_id is None:
        raise forbidden()
    if caller.session_account_id is not None and not delegated_ok:
        raise forbidden("Sign in with your own credentials to change sessions or two-factor settings")
    if caller.kind is CallerKind.STAFF and caller.staff_role not in policy.staff:
        raise forbidden()
    return caller.user_id


@dataclass
class Payload:
    """A mutation's result: the changed things as attributes, and userErrors."""

    user_errors: list[UserError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.__dict__["values"].get(name)  # a field not set (after a failure) is null


def payload(error: AuthError | None = None, enum: type[StrEnum] | None = None, **values: Any) -> Payload:
    errors = [user_error(error, enum)] if error is not None and enum is not None else []
    return Payload(errors, {} if error is not None else values)

