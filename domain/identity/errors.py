"""The expected failures of identity flows. Resolvers turn them into userErrors."""
from collections.abc import Awaitable, Callable
from typing import Any

# Work to commit even though the flow failed (count a wrong code), run in a fresh transaction.
Effect = Callable[[Any], Awaitable[None]]


class AuthError(Exception):
    def __init__(self, code: str, message: str, field: list[str] | None = None, *,
                 effects: list[Effect] | None = None, **audit: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.effects = effects or []
        self.audit = audit  # facts for the failure's audit event (never secrets)
