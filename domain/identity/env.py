"""What an identity flow needs to know about the request it runs for."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.audit import Actor


@dataclass(frozen=True)
class AuthEnv:
    now: datetime
    actor: Actor
    session_lifetime: timedelta
    # Where links in emails point: the portal frontend, which posts the token back to the API.
    frontend_url: str = "http://localhost:3000"
    # The session the request came with (kept when "every other session" is revoked).
    current_session_id: int | None = None
    # Seals secrets that are read back (TOTP seeds); the JWT key too.
    secret_key: str = "portalql-development-key-not-for-production-use"

    def link(self, path: str, token: str) -> str:
        return f"{self.frontend_url.rstrip('/')}/{path}?token={token}"

    def as_user(self, user_id: int | None) -> Actor:
        """The actor once the person is known (a sign-in is done by the user it signs in)."""
        return Actor("CUSTOMER" if self.actor.kind == "ANONYMOUS" else self.actor.kind,
                     user_id if self.actor.user_id is None else self.actor.user_id,
                     self.actor.ip, self.actor.user_agent)
