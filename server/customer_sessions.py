"""POST /customer-sessions: the merchant's backend, with a secret API key, makes a short-lived
session for one of its customers in one account (like Stripe's customer portal sessions).

    curl -X POST https://portal.example/customer-sessions \\
         -H "Authorization: Bearer pqk_..." -H "Content-Type: application/json" \\
         -d '{"email": "buyer@acme.example", "accountId": "<Account global ID>", "minutes": 15}'

Answers {"token", "expiresAt", "url"}: put the url (the token rides in its #fragment, which
browsers never send to servers) behind a "Manage subscription" button or in an email."""
import json
from datetime import timedelta
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.errors import Rejected
from domain.identity import api_keys
from domain.identity.env import AuthEnv
from domain.identity.errors import CustomerSessionErrorCode
from domain.audit import Actor
from schema.requests import decode_as
from server.bearer import bearer_token

MAX_BODY = 4096


def _problem(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers={"cache-control": "no-store"})


async def create_customer_session(request: Request) -> Response:
    app: Any = request.app.state
    now = app.clock.now()
    ip = request.client.host if request.client else None
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _problem(413, "BAD_USER_INPUT", "The request is too large")
    async with app.db.transaction() as session:
        key = await api_keys.authenticate(session, bearer_token(request), now)
    if key is None:
        return _problem(401, "UNAUTHENTICATED", "Send a valid API key as 'Authorization: Bearer pqk_...'")
    try:
        body = json.loads(raw or b"{}")
        email, account_gid, minutes = body["email"], body["accountId"], body.get("minutes")
        if not isinstance(email, str) or not isinstance(account_gid, str) or \
                (minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool))):
            raise TypeError
        account_id = decode_as(account_gid, "Account")
    except (ValueError, KeyError, TypeError, AttributeError):
        return _problem(400, "BAD_USER_INPUT", "Send JSON with email, accountId (an Account ID) and optional minutes")
    except GraphQLError as e:
        return _problem(400, "BAD_USER_INPUT", e.message)
    sessions = app.settings.sessions
    env = AuthEnv(now=now, actor=Actor("API_KEY", None, ip, request.headers.get("user-agent")),
                  session_lifetime=timedelta(hours=sessions.session_lifetime_hours),
                  frontend_url=sessions.frontend_url)
    try:
        async with app.db.transaction() as session:
            signed = await api_keys.customer_session(session, env, key, email, account_id, minutes)
    except Rejected as e:
        status = 404 if e.code is CustomerSessionErrorCode.NOT_FOUND else 400
        return _problem(status, "NOT_FOUND" if status == 404 else "BAD_USER_INPUT", e.message)
    url = f"{sessions.frontend_url.rstrip('/')}/session#token={signed.token}"
    return JSONResponse({"token": signed.token, "expiresAt": signed.expires_at.isoformat(),  # type: ignore[union-attr]
                         "url": url}, status_code=201, headers={"cache-control": "no-store"})
