"""OAuth 2 client credentials (RFC 6749 section 4.4) for procurement integrations.

An account ADMIN registers a client with scopes; the client trades its id and secret for a
signed JWT access token (1 hour). authlib supplies the protocol's error vocabulary and scope
parsing; joserfc (authlib's JOSE library; authlib.jose is deprecated in its favour) signs and
checks the JWTs."""
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import OAuthClient
from db.repositories import clients as repo
from domain import audit
from domain.audit import Actor
from domain.auth import token_hash
from domain.errors import reject
from domain.identity.env import AuthEnv
from domain.identity.errors import OAuthClientErrorCode as E, TokenErrorCode

CLIENT_PREFIX = "pqo_"
SECRET_PREFIX = "pqos_"
ACCESS_TOKEN_TTL = timedelta(hours=1)
AUDIENCE = "portalql"
ALGORITHM = "HS256"
MAX_NAME = 100


def _key(secret_key: str) -> OctKey:
    return OctKey.import_key(secret_key.encode())


def check_scopes(requested: list[str], allowed: frozenset[str]) -> list[str]:
    scopes = sorted(set(requested))
    unknown = [s for s in scopes if s not in allowed]
    if not scopes or unknown:
        raise reject(E.INVALID_SCOPE, "Unknown scopes: " + ", ".join(u[:40] for u in unknown[:10]) if unknown
                     else "Give at least one scope", "input", "scopes")
    return scopes


async def create_client(session: AsyncSession, env: AuthEnv, account_id: int, name: str, scopes: list[str],
                        allowed: frozenset[str]) -> tuple[OAuthClient, str]:
    """A new client and its secret (shown once: only its hash is kept)."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise reject(E.INVALID_NAME, f"Name the client (at most {MAX_NAME} characters)", "input", "name")
    scopes = check_scopes(scopes, allowed)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    client = OAuthClient(account_id=account_id, client_id=CLIENT_PREFIX + secrets.token_urlsafe(12),
                         secret_hash=token_hash(secret), name=name, scopes=scopes,
                         created_by_user_id=env.actor.user_id, created_at=env.now)
    session.add(client)
    await session.flush()
    audit.record(session, env.actor, "oauth_client.create", env.now, account_id=client.account_id,
                 target_type="OAuthClient", target_id=client.id, scopes=client.scopes)
    return client, secret


def revoke_client(session: AsyncSession, env: AuthEnv, client: OAuthClient) -> OAuthClient:
    if client.revoked_at is None:
        client.revoked_at = env.now
        session.add(client)
        audit.record(session, env.actor, "oauth_client.revoke", env.now, account_id=client.account_id,
                     target_type="OAuthClient", target_id=client.id)
    return client


@dataclass
class AccessToken:
    token: str
    expires_in: int
    scope: str


async def issue_access_token(session: AsyncSession, now: datetime, actor: Actor, client_id: str | None,
                             client_secret: str | None, scope: str | None, secret_key: str,
                             issuer: str) -> AccessToken:
    """The client credentials grant: authenticate the client, narrow the scopes, sign a JWT."""
    if not client_id or not client_secret or len(client_id) > 100 or len(client_secret) > 200:
        raise InvalidClientError(description="Client authentication failed")
    client = await repo.oauth_client_by_client_id(session, client_id)
    given = token_hash(client_secret)
    if client is None or client.revoked_at is not None or not hmac.compare_digest(client.secret_hash, given):
        raise InvalidClientError(description="Client authentication failed")
    if scope is not None and len(scope) > 1000:
        raise InvalidRequestError(description="scope is too long")
    wanted = scope_to_list(scope) if scope else list(client.scopes)
    if not wanted or any(s not in client.scopes for s in wanted):
        raise InvalidScopeError(description="The client may not ask for these scopes")
    granted = sorted(set(wanted))
    issued = int(now.timestamp())
    ttl = int(ACCESS_TOKEN_TTL.total_seconds())
    claims = {"iss": issuer, "aud": AUDIENCE, "sub": client.client_id, "iat": issued, "nbf": issued,
              "exp": issued + ttl, "jti": uuid.uuid4().hex, "scope": list_to_scope(granted),
              "account": client.account_id, "cid": client.id}
    token = jwt.encode({"alg": ALGORITHM, "typ": "at+jwt"}, claims, _key(secret_key), algorithms=[ALGORITHM])
    repo.touch(client, session, now)
    audit.record(session, actor, "oauth.token_issued", now, account_id=client.account_id,
                 target_type="OAuthClient", target_id=client.id, scope=claims["scope"])
    return AccessToken(token, ttl, claims["scope"])


@dataclass
class TokenClaims:
    client_pk: int
    account_id: int
    scopes: frozenset[str]


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and len(token) < 4096


def verify_access_token(token: str, now: datetime, secret_key: str, issuer: str) -> TokenClaims:
    """Claims of a valid token; Rejected INVALID_TOKEN or SESSION_EXPIRED otherwise."""
    invalid = reject(TokenErrorCode.INVALID_TOKEN, "The access token is not valid")
    try:
        decoded = jwt.decode(token, _key(secret_key), algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        raise invalid from None
    claims = decoded.claims
    registry = JWTClaimsRegistry(now=int(now.timestamp()), iss={"essential": True, "value": issuer},
                                 aud={"essential": True, "value": AUDIENCE}, exp={"essential": True})
    try:
        registry.validate(claims)
    except JoseError as e:
        if getattr(e, "error", "") == "expired_token" or "expired" in str(e).lower():
            raise reject(TokenErrorCode.SESSION_EXPIRED, "The access token has expired: request a new one") from None
        raise invalid from None
    try:
        return TokenClaims(int(claims["cid"]), int(claims["account"]), frozenset(scope_to_list(claims["scope"]) or []))
    except (KeyError, TypeError, ValueError):
        raise invalid from None
