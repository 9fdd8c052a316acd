"""Email addresses as typed by people: trimmed, lower-cased, plausibly shaped."""
import re
from enum import StrEnum

from domain.errors import reject
from domain.identity.errors import CredentialsErrorCode

MAX_EMAIL = 254
_SHAPE = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


def check_length(email: str) -> None:
    """An email too long to be one, refused before the request for a mail is counted."""
    if len(email) > MAX_EMAIL:
        raise reject(CredentialsErrorCode.INVALID_EMAIL, "Enter a valid email address", "input", "email",
                     attempted=False)


def normalize_email(email: str, codes: type[StrEnum] = CredentialsErrorCode,
                    field: tuple[str, ...] = ("input", "email")) -> str:
    """The address; else INVALID_EMAIL of `codes`, the enum of the flow that asks."""
    value = email.strip().lower()
    if len(email) > MAX_EMAIL or not _SHAPE.match(value):
        raise reject(codes["INVALID_EMAIL"], "Enter a valid email address", *field)
    return value
