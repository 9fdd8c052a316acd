"""POST /oauth/token: the OAuth 2 client credentials grant (RFC 6749 section 4.4).

Client authentication by HTTP Basic (client_secret_basic) or form fields (client_secret_post).
Errors are RFC 6749 JSON bodies from authlib's error classes."""
from typing import Any

from authlib.oauth2.rfc6749.errors import (InvalidClientError, InvalidRequestError, OAuth2Error,
                                           UnsupportedGrantTypeError)
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.audit import Actor
from domain.identity.oauth import issue_access_token
from domain.ratelimit import Throttled

NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
MAX_BODY = 4096


def _error(e: OAuth2Error) -> Response:
    headers = {**NO_STORE, **dict(e.get_headers())}
    headers.pop("Content-Type", None)
    status = e.status_code or 400
    if isinstance(e, InvalidClientError):  # RFC 6749 5.2: 401 with a challenge for failed client auth
        status = 401
        headers["www-authenticate"] = 'Basic realm="portalql"'
    return JSONResponse(dict(e.get_body()), status_code=status, headers=headers)


async def token_endpoint(request: Request) -> Response:
    app: Any = request.app.state
    try:
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            raise InvalidRequestError(description="The request is too large")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise InvalidRequestError(description="Send application/x-www-form-urlencoded")
        form = await request.form()
        if form.get("grant_type") != "client_credentials":
            raise UnsupportedGrantTypeError(str(form.get("grant_type") or "")[:40])
        client_id, client_secret = extract_basic_authorization(request.headers)
        if not client_id:
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
        now = app.clock.now()
        ip = request.client.host if request.client else None
        try:
            await app.limiter.hit("oauth_token", now, subject=str(client_id or "")[:100] or None, ip=ip)
        except Throttled as t:
            return JSONResponse({"error": "slow_down", "error_description": "Too many token requests"},
                                status_code=429, headers={**NO_STORE, "retry-after": str(t.retry_after)})
        sessions = app.settings.sessions
        async with app.db.transaction() as session:
            token = await issue_access_token(
                session, now, Actor("INTEGRATION", None, ip, request.headers.get("user-agent")),
                str(client_id) if client_id else None, str(client_secret) if client_secret else None,
                form.get("scope"), sessions.secret_key, sessions.issuer)  # type: ignore[arg-type]
    except OAuth2Error as e:
        return _error(e)
    return JSONResponse({"access_token": token.token, "token_type": "Bearer", "expires_in": token.expires_in,
                         "scope": token.scope}, headers=NO_STORE)
