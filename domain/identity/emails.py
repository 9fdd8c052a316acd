"""Email addresses as typed by people: trimmed, lower-cased, plausibly shaped."""
import re

from domain.identity.errors import AuthError

MAX_EMAIL = 254
_SHAPE = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


def normalize_email(email: str, field: list[str] | None = None) -> str:
    value = email.strip().lower()
    if len(value) > MAX_EMAIL or not _SHAPE.match(value):
        raise AuthError("INVALID_EMAIL", "Enter a valid email address", field or ["input", "email"])
    return value
