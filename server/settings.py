"""Settings from the environment. Nothing else reads os.environ."""
import os
from dataclasses import dataclass, field

from db.engine import DEFAULT_URL
from resolvers.context import Settings as SessionSettings


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (os.environ.get(name) or default).upper()
    if raw not in allowed:
        raise SystemExit(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


@dataclass
class Settings:
    database_url: str = DEFAULT_URL
    environment: str = "development"  # or "production": no GraphiQL, no introspection
    redis_url: str | None = None
    # Uploaded files (return photos) on the local disk; served only through authenticated routes.
    upload_dir: str = "./uploads"
    sessions: SessionSettings = field(default_factory=SessionSettings)
    # Mail: unset in development means messages stay in the outbox (`portalql mail list`).
    smtp_url: str | None = None
    mail_from: str = "Portalql <no-reply@portalql.localhost>"

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get("PORTALQL_ENV", "development")
        if env not in {"development", "production"}:
            raise SystemExit(f"PORTALQL_ENV must be development or production, got {env!r}")
        return cls(
            database_url=os.environ.get("DATABASE_URL") or DEFAULT_URL,
            environment=env,
            redis_url=os.environ.get("REDIS_URL") or None,
            upload_dir=os.environ.get("PORTALQL_UPLOAD_DIR") or "./uploads",
            sessions=SessionSettings(
                session_idle_minutes=_int("PORTALQL_SESSION_IDLE_MINUTES", 30),
                session_lifetime_hours=_int("PORTALQL_SESSION_LIFETIME_HOURS", 12),
                frontend_url=os.environ.get("PORTALQL_FRONTEND_URL") or SessionSettings.frontend_url,
                secret_key=_secret_key(env),
                issuer=os.environ.get("PORTALQL_ISSUER") or SessionSettings.issuer,
                invoice_on=_choice("PORTALQL_INVOICE_ON", ("PLACEMENT", "FULFILMENT"), "PLACEMENT"),
            ),
            smtp_url=os.environ.get("PORTALQL_SMTP_URL") or None,
            mail_from=os.environ.get("PORTALQL_MAIL_FROM") or cls.mail_from,
        )


def _secret_key(env: str) -> str:
    """The key that signs integration access tokens (JWT, HS256): 32 characters at least."""
    key = os.environ.get("PORTALQL_SECRET_KEY")
    if key is None or key == "":
        if env == "production":
            raise SystemExit("PORTALQL_SECRET_KEY must be set in production (e.g. `openssl rand -hex 32`)")
        return SessionSettings.secret_key
    if len(key) < 32:
        raise SystemExit("PORTALQL_SECRET_KEY must have at least 32 characters")
    return key
