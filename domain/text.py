"""Free text that people type (names, notes, tracking numbers): trimmed and limited."""
from enum import StrEnum

from domain.errors import reject


def check_text(value: str | None, limit: int, code: StrEnum, *field: str, required: bool = False) -> str | None:
    """The trimmed text (None for blank), or Rejected with `code` at `field`."""
    if value is None:
        if required:
            raise reject(code, "This is required", *field)
        return None
    value = value.strip()
    if required and not value:
        raise reject(code, "This must not be empty", *field)
    if len(value) > limit:
        raise reject(code, f"At most {limit} characters", *field)
    return value or None
