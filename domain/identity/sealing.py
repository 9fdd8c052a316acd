"""Secrets that must be read back (TOTP seeds) are stored sealed: encrypted and authenticated with
a key derived from PORTALQL_SECRET_KEY (Fernet: AES-128-CBC with HMAC-SHA256, from cryptography).
A copy of the database alone does not give anyone a second factor. Changing the secret key makes
sealed secrets unreadable: two-factor then has to be set up again."""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "f1:"


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"portalql/seal/v1:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str, secret_key: str) -> str:
    return PREFIX + _fernet(secret_key).encrypt(value.encode()).decode()


def unseal(stored: str, secret_key: str) -> str | None:
    """The value, or None when it was sealed with another key (or is damaged)."""
    if not stored.startswith(PREFIX):
        return None
    try:
        return _fernet(secret_key).decrypt(stored[len(PREFIX):].encode()).decode()
    except (InvalidToken, ValueError):
        return None
