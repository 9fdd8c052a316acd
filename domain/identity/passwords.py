"""What a new password must be: long enough, not too long, not a known breached password."""
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 256
_LIST = Path(__file__).with_name("common_passwords.txt")
_COMMON: frozenset[str] | None = None


def _common() -> frozenset[str]:
    global _COMMON
    if _COMMON is None:
        _COMMON = frozenset(line.strip().lower() for line in _LIST.read_text().splitlines() if line.strip())
    return _COMMON


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why `password` is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered in _common() or len(set(lowered)) < 4:
        return "This password is too common: it appears in lists of breached passwords"
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered or name and len(name) >= 4 and name.lower() in lowered:
        return "Do not use your email or name in the password"
    return None
