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
    sessions: SessionSettings = field(default_factory=SessionSettings)

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
            sessions=SessionSettings(
                session_idle_minutes=_int("PORTALQL_SESSION_IDLE_MINUTES", 30),
                session_lifetime_hours=_int("PORTALQL_SESSION_LIFETIME_HOURS", 12),
                invoice_on=_choice("PORTALQL_INVOICE_ON", ("PLACEMENT", "FULFILMENT"), "PLACEMENT"),
            ),
        )
