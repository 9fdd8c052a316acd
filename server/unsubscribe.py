"""/unsubscribe/<token>: the one-click unsubscribe link of non-essential mail (RFC 8058), without
signing in. GET shows a page with one button (a link followed by a mail scanner changes nothing);
POST, which mail clients send with `List-Unsubscribe=One-Click`, turns off the one category the
link names, for its user. A link we did not sign is 400 INVALID_TOKEN, a used one 409 USED_TOKEN,
and nothing changes (domain/notifications.py)."""
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain import notifications
from domain.audit import Actor
from domain.errors import Rejected
from domain.ratelimit import Throttled
from i18n.unsubscribe import confirm_page, done_page, error_page

HEADERS = {"cache-control": "no-store", "x-content-type-options": "nosniff",
           "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
           "referrer-policy": "no-referrer", "x-robots-tag": "noindex"}
STATUS = {notifications.E.INVALID_TOKEN: 400, notifications.E.USED_TOKEN: 409}


def _page(body: str, status: int = 200, **extra: str) -> Response:
    return HTMLResponse(body, status_code=status, headers={**HEADERS, **extra})


async def unsubscribe_route(request: Request) -> Response:
    app: Any = request.app.state
    token = request.path_params["token"]
    now = app.clock.now()
    ip = request.client.host if request.client else None
    locale = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip() or None
    try:
        await app.limiter.hit("unsubscribe", now, subject=token[:120], ip=ip)
    except Throttled as t:
        return _page(error_page(locale, "THROTTLED"), 429, **{"retry-after": str(t.retry_after)})
    secret_key = app.settings.sessions.secret_key
    try:
        if request.method == "GET":
            async with app.db.session() as s:
                found, user = await notifications.check_link(s, secret_key, token)
            return _page(confirm_page(user.locale or locale, found.category.value, user.email))
        actor = Actor("ANONYMOUS", None, ip, request.headers.get("user-agent"))
        async with app.db.transaction() as s:
            found, user = await notifications.unsubscribe(s, secret_key, token, now, actor)
    except Rejected as e:
        return _page(error_page(locale, e.code.value), STATUS.get(e.code, 400))  # type: ignore[call-overload]
    return _page(done_page(user.locale or locale, found.category.value, user.email))
