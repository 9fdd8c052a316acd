"""License keys of software bought as a digital variant (domain.digital) or included in a
subscription's plan. A key is random; the database holds its SHA-256 (to find it by the key
software sends), its last characters (to tell keys apart) and the key sealed with
PORTALQL_SECRET_KEY (to show it to its owner again).

Software activates, validates and deactivates a key on a machine (an `instance` of its own
naming) over public routes (server/licenses.py) with the key itself as credential. Every answer
for a key that is unknown, revoked, disabled or expired has the same shape, so an answer says
nothing about keys other than the one sent: `{"valid": false, "code": "KEY_INVALID"}`."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import SubscriptionStatus
from db.models import DigitalVariant, LicenseActivation, LicenseKey, Subscription, SubscriptionItem
from db.models.files import LicenseStatus
from db.repositories import licenses as repo
from db.repositories.base import lock_row
from domain import audit
from domain.audit import Actor
from domain.errors import reject
from domain.identity.sealing import seal, unseal

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from a screen
GROUPS, GROUP = 5, 5  # 25 characters of 32 kinds: 125 bits
MAX_KEY = 64
MAX_INSTANCE = 200
ENDED = (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)


class LicenseErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_STATUS = "INVALID_STATUS"


class LicenseAnswer(StrEnum):
    """What the public routes answer (the `code` of their JSON)."""

    VALID = "VALID"
    KEY_INVALID = "KEY_INVALID"            # unknown, revoked, disabled or expired: never which
    ACTIVATION_LIMIT = "ACTIVATION_LIMIT"  # a valid key on as many machines as it allows
    NOT_ACTIVATED = "NOT_ACTIVATED"        # a valid key, not activated on this instance
    INVALID_REQUEST = "INVALID_REQUEST"    # no key or instance, or one too long


def new_key() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP))
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


def normalize(key: str) -> str:
    return "".join(key.split()).replace("-", "").upper()


def key_hash(key: str) -> str:
    return hashlib.sha256(normalize(key).encode()).hexdigest()


@dataclass(frozen=True)
class Owner:
    account_id: int
    location_id: int | None
    user_id: int | None


def issue(s: AsyncSession, owner: Owner, variant_id: int, activations: int, expires_at: datetime | None,
          secret_key: str, now: datetime, *, purchase_id: int | None = None,
          subscription_id: int | None = None) -> LicenseKey:
    key = new_key()
    row = LicenseKey(key_hash=key_hash(key), key_sealed=seal(key, secret_key), suffix=key[-GROUP:],
                     variant_id=variant_id, account_id=owner.account_id, location_id=owner.location_id,
                     user_id=owner.user_id, purchase_id=purchase_id, subscription_id=subscription_id,
                     max_activations=activations, expires_at=expires_at, created_at=now)
    s.add(row)
    return row


def reveal(row: LicenseKey, secret_key: str) -> str | None:
    """The key, for its owner; None when PORTALQL_SECRET_KEY changed since it was sealed."""
    return unseal(row.key_sealed, secret_key)


def status(row: LicenseKey, subscription: Subscription | None, now: datetime) -> LicenseStatus:
    """The stored status, REVOKED once its subscription ended, EXPIRED past its end."""
    if row.status is not LicenseStatus.ACTIVE:
        return row.status
    if subscription is not None and subscription.status in ENDED:
        return LicenseStatus.REVOKED
    end = expires_at(row, subscription)
    if end is not None and now >= end:
        return LicenseStatus.EXPIRED
    return LicenseStatus.ACTIVE


def expires_at(row: LicenseKey, subscription: Subscription | None) -> datetime | None:
    """A subscription's key lasts as long as its paid period: renewing the subscription renews it."""
    if subscription is not None:
        return subscription.current_period_end
    return row.expires_at


async def grant_for_subscription(s: AsyncSession, sub: Subscription, items: list[SubscriptionItem],
                                 secret_key: str, now: datetime) -> list[LicenseKey]:
    """A key for each licensed variant of the plan that has none yet (when it starts or renews,
    after a plan change too). Revoked by the subscription's end (`status`), not by a write."""
    licensed = await repo.licensed_variants(s, [i.variant_id for i in items])
    have = await repo.subscription_variants(s, sub.id)  # type: ignore[arg-type]
    out = []
    for item in items:
        spec = licensed.get(item.variant_id)
        if spec is None or item.variant_id in have:
            continue
        have.add(item.variant_id)
        out.append(issue(s, Owner(sub.account_id, sub.location_id, None), item.variant_id,
                         spec.license_activations * max(item.quantity, 1), None, secret_key, now,  # type: ignore[operator]
                         subscription_id=sub.id))
    return out


def purchase_expiry(spec: DigitalVariant, now: datetime) -> datetime | None:
    return now + timedelta(days=spec.license_days) if spec.license_days else None


async def set_disabled(s: AsyncSession, actor: Actor, now: datetime, license_id: int, disabled: bool) -> LicenseKey:
    """Disable a key (its software stops validating) or enable it again (staff). A revoked key stays revoked."""
    row = await lock_row(s, LicenseKey, license_id)
    if row is None:
        raise reject(LicenseErrorCode.NOT_FOUND, "No license key with that ID", "input", "id")
    wanted, needed = ((LicenseStatus.DISABLED, LicenseStatus.ACTIVE) if disabled
                      else (LicenseStatus.ACTIVE, LicenseStatus.DISABLED))
    if row.status is not needed:
        raise reject(LicenseErrorCode.INVALID_STATUS, f"This license key is {row.status.value}", "input", "id")
    row.status = wanted
    s.add(row)
    audit.record(s, actor, "license.disable" if disabled else "license.enable", now, account_id=row.account_id,
                 target_type="LicenseKey", target_id=row.id)
    return row


@dataclass(frozen=True)
class Verdict:
    code: LicenseAnswer
    license: LicenseKey | None = None
    expires_at: datetime | None = None
    activations: int = 0

    @property
    def valid(self) -> bool:
        return self.code is LicenseAnswer.VALID


def _well_formed(key: str, instance: str | None) -> bool:
    return (0 < len(key) <= MAX_KEY and (instance is None or 0 < len(instance.strip()) <= MAX_INSTANCE))


async def _usable(s: AsyncSession, key: str, now: datetime) -> tuple[LicenseKey, datetime | None] | None:
    """The key's row, locked, when it is usable now; None for unknown, revoked, disabled, expired."""
    found = await repo.by_hash(s, key_hash(key))
    if found is None:
        return None
    row = await lock_row(s, LicenseKey, found)
    sub = await s.get(Subscription, row.subscription_id) if row.subscription_id else None
    if status(row, sub, now) is not LicenseStatus.ACTIVE:
        return None
    return row, expires_at(row, sub)


async def activate(s: AsyncSession, key: str, instance: str, now: datetime) -> Verdict:
    """Activate the key on `instance`; again on an instance it is active on changes nothing.
    The key is locked while counting, so two machines racing for the last activation cannot both get it."""
    if not _well_formed(key, instance):
        return Verdict(LicenseAnswer.INVALID_REQUEST)
    usable = await _usable(s, key, now)
    if usable is None:
        return Verdict(LicenseAnswer.KEY_INVALID)
    row, end = usable
    instance = instance.strip()
    active = await repo.activations(s, row.id)  # type: ignore[arg-type]
    mine = next((a for a in active if a.instance == instance), None)
    if mine is not None:
        mine.last_seen_at = now
        s.add(mine)
        return Verdict(LicenseAnswer.VALID, row, end, len(active))
    if len(active) >= row.max_activations:
        return Verdict(LicenseAnswer.ACTIVATION_LIMIT, row, end, len(active))
    s.add(LicenseActivation(license_id=row.id, instance=instance, created_at=now, last_seen_at=now))  # type: ignore[arg-type]
    return Verdict(LicenseAnswer.VALID, row, end, len(active) + 1)


async def validate(s: AsyncSession, key: str, instance: str | None, now: datetime) -> Verdict:
    """Is the key usable (and, given an instance, activated there)?"""
    if not _well_formed(key, instance):
        return Verdict(LicenseAnswer.INVALID_REQUEST)
    usable = await _usable(s, key, now)
    if usable is None:
        return Verdict(LicenseAnswer.KEY_INVALID)
    row, end = usable
    active = await repo.activations(s, row.id)  # type: ignore[arg-type]
    if instance is not None:
        mine = next((a for a in active if a.instance == instance.strip()), None)
        if mine is None:
            return Verdict(LicenseAnswer.NOT_ACTIVATED, row, end, len(active))
        mine.last_seen_at = now
        s.add(mine)
    return Verdict(LicenseAnswer.VALID, row, end, len(active))


async def deactivate(s: AsyncSession, key: str, instance: str, now: datetime) -> Verdict:
    """Free the key's activation on `instance` (a machine retired), so another may take it."""
    if not _well_formed(key, instance):
        return Verdict(LicenseAnswer.INVALID_REQUEST)
    usable = await _usable(s, key, now)
    if usable is None:
        return Verdict(LicenseAnswer.KEY_INVALID)
    row, end = usable
    active = await repo.activations(s, row.id)  # type: ignore[arg-type]
    mine = next((a for a in active if a.instance == instance.strip()), None)
    if mine is None:
        return Verdict(LicenseAnswer.NOT_ACTIVATED, row, end, len(active))
    await s.delete(mine)
    return Verdict(LicenseAnswer.VALID, row, end, len(active) - 1)
