"""Signatures as the Standard Webhooks specification defines them (standardwebhooks.com):
`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the bytes
of a `whsec_<base64>` secret. Several signatures, space-separated, while a rotated secret still
signs."""
import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60  # the replay window: older or newer timestamps are refused
# The specification's example: secret, webhook-id, webhook-timestamp, body, and the signature.
SPEC_EXAMPLE = ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                b'{"test": 2432232314}', "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def headers(msg_id: str, timestamp: int, body: bytes, signing_secrets: Iterable[str]) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in signing_secrets),
            "content-type": "application/json"}


def verify(secret: str, got: Mapping[str, str], body: bytes, now: int,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """The receiver's check (docs/webhooks.md shows it standalone): one of the signatures is ours
    and the timestamp is within the replay window."""
    msg_id, stamp = got.get("webhook-id", ""), got.get("webhook-timestamp", "")
    if not msg_id or not stamp.isdigit() or abs(now - int(stamp)) > tolerance:
        return False
    expected = sign(secret, msg_id, int(stamp), body)
    return any(hmac.compare_digest(expected, candidate)
               for candidate in got.get("webhook-signature", "").split())
