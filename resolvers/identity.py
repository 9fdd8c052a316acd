"""What the identity resolvers share: the flow environment, rate limits, and the self-service
check of a person acting for itself."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from domain.errors import Rejected
from domain.identity.env import AuthEnv
from domain.ratelimit import Attempt, Throttled
from i18n.locales import normalize_locale
from resolvers.context import Context
from resolvers.errors import coded, forbidden


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
    A guess (domain.ratelimit.GUESSES) goes through `guess`, which reports how it went."""
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


@asynccontextmanager
async def guess(ctx: Context, action: str, subject: str | None = None) -> AsyncIterator[None]:
    """A password, code or token checked within: counted first, then given back when it was right
    (successes count toward no limit), or counted toward the email's delays when Rejected."""
    tried = await throttle(ctx, action, subject)
    try:
        yield
    except Rejected:
        await tried.settle(False)
        raise
    await tried.settle(True)


def require_person(ctx: Context, *, delegated_ok: bool = False) -> int:
    """A person acting for itself (its sessions, its second factor); the user id. The mutation's
    policy entry has admitted a signed-in caller that is not an integration (resolvers.mutation).

    Sessions the merchant's backend made for one account cannot (they did not prove the person's
    credentials), except to sign themselves out (`delegated_ok`)."""
    caller = ctx.caller
    if caller.user_id is None:
        raise forbidden()
    if caller.session_account_id is not None and not delegated_ok:
        raise forbidden("Sign in with your own credentials to change sessions or two-factor settings")
    return caller.user_id
