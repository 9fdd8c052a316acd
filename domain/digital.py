"""Digital products: a variant's files and license (staff set them up), the purchases an order
grants once it is open, and downloads through signed, expiring links.

A link names the purchase, the file, the user it was made for and when it expires, signed with
HMAC-SHA256 under a key derived from PORTALQL_SECRET_KEY: it cannot be made for another purchase,
file or user, nor lengthened. A download counts toward the purchase's limit (when it has one)
and is written to its history; it needs the user still to be a member of the purchase's account."""
import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import DigitalFile, DigitalPurchase, DigitalVariant, DownloadEvent, Order, ProductVariant
from db.repositories import digital as repo
from db.repositories.base import lock_row
from domain import audit, licenses
from domain.account_files import Upload, read_upload, store
from domain.audit import Actor
from domain.errors import reject
from domain.file_types import DOCUMENTS, ZIP
from domain.storage import FileStorage

MAX_FILE_BYTES = 40 * 1024 * 1024
FILE_KINDS = DOCUMENTS | {ZIP}
LINK_MINUTES = 15
MAX_LIMIT = 1000


class DigitalErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    INVALID_LIMIT = "INVALID_LIMIT"
    LINK_INVALID = "LINK_INVALID"
    LINK_EXPIRED = "LINK_EXPIRED"
    DOWNLOAD_LIMIT_REACHED = "DOWNLOAD_LIMIT_REACHED"


def _signing_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"portalql/downloads/v1:" + secret_key.encode()).digest()


def signature(purchase_id: int, file_id: int, user_id: int, expires: int, secret_key: str) -> str:
    message = f"{purchase_id}:{file_id}:{user_id}:{expires}".encode()
    digest = hmac.new(_signing_key(secret_key), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class SignedLink:
    purchase_id: int
    file_id: int
    user_id: int
    expires: int  # Unix seconds
    signature: str


def sign(purchase_id: int, file_id: int, user_id: int, now: datetime, secret_key: str) -> SignedLink:
    expires = int((now + timedelta(minutes=LINK_MINUTES)).timestamp())
    return SignedLink(purchase_id, file_id, user_id, expires,
                      signature(purchase_id, file_id, user_id, expires, secret_key))


def check_link(link: SignedLink, now: datetime, secret_key: str) -> None:
    """LINK_INVALID for a link we did not make as it is (another purchase, file, user or expiry),
    LINK_EXPIRED for one of ours past its time."""
    E = DigitalErrorCode
    wanted = signature(link.purchase_id, link.file_id, link.user_id, link.expires, secret_key)
    if not hmac.compare_digest(wanted.encode(), link.signature.encode()):
        raise reject(E.LINK_INVALID, "This download link is not valid")
    if now.timestamp() >= link.expires:
        raise reject(E.LINK_EXPIRED, "This download link has expired: ask for a new one")


@dataclass(frozen=True)
class Download:
    file: DigitalFile
    data: bytes
    purchase: DigitalPurchase


async def download(s: AsyncSession, link: SignedLink, now: datetime, secret_key: str, storage: FileStorage,
                   ip: str | None) -> Download:
    """Serve one file of a purchase by its signed link, counted and recorded; the purchase is
    locked while counting, so two downloads racing for the last one allowed cannot both have it."""
    E = DigitalErrorCode
    check_link(link, now, secret_key)
    purchase = await lock_row(s, DigitalPurchase, link.purchase_id)
    file = await s.get(DigitalFile, link.file_id)
    if purchase is None or file is None or file.variant_id != purchase.variant_id:
        raise reject(E.NOT_FOUND, "No such download")
    if not await repo.may_download(s, link.user_id, purchase.account_id):
        raise reject(E.LINK_INVALID, "This download link is not valid")
    if purchase.download_limit is not None and purchase.downloads >= purchase.download_limit:
        raise reject(E.DOWNLOAD_LIMIT_REACHED, f"This purchase has been downloaded {purchase.downloads} times, "
                     "as many as it allows")
    data = await storage.get(file.storage_key)
    if data is None:
        raise reject(E.NOT_FOUND, "No such download")
    purchase.downloads += 1
    s.add(purchase)
    s.add(DownloadEvent(purchase_id=purchase.id, file_id=file.id, user_id=link.user_id, ip=ip, created_at=now))  # type: ignore[arg-type]
    return Download(file, data, purchase)


async def grant_for_order(s: AsyncSession, order: Order, secret_key: str, now: datetime) -> list[DigitalPurchase]:
    """The purchases (and license keys) of an order's digital lines, once the order is open:
    placed without approval, or approved. Granting twice grants nothing more."""
    lines = await repo.digital_lines(s, order.id)  # type: ignore[arg-type]
    out = []
    for line, spec in lines:
        p = DigitalPurchase(order_line_id=line.id, order_id=order.id, variant_id=spec.variant_id,  # type: ignore[arg-type]
                            account_id=order.account_id, location_id=order.location_id,
                            user_id=order.placed_by_user_id, download_limit=spec.download_limit, created_at=now)
        s.add(p)
        out.append(p)
    await s.flush()
    for p, (line, spec) in zip(out, lines, strict=True):
        if spec.license_activations:
            licenses.issue(s, licenses.Owner(order.account_id, order.location_id, order.placed_by_user_id),
                           spec.variant_id, spec.license_activations * line.quantity, licenses.purchase_expiry(spec, now),
                           secret_key, now, purchase_id=p.id)
    return out


def _check_limit(value: int | None, field: str) -> None:
    if value is not None and not 1 <= value <= MAX_LIMIT:
        raise reject(DigitalErrorCode.INVALID_LIMIT, f"Give a number from 1 to {MAX_LIMIT}, or none", "input", field)


async def set_up(s: AsyncSession, actor: Actor, now: datetime, variant_id: int, download_limit: int | None,
                 license_activations: int | None, license_days: int | None) -> DigitalVariant:
    """Make a variant digital (staff), or change its limits and license."""
    for value, field in ((download_limit, "downloadLimit"), (license_activations, "licenseActivations"),
                         (license_days, "licenseDays")):
        _check_limit(value, field)
    variant = await lock_row(s, ProductVariant, variant_id)
    if variant is None:
        raise reject(DigitalErrorCode.NOT_FOUND, "No variant with that ID", "input", "variantId")
    row = await repo.digital_variant(s, variant_id) or DigitalVariant(variant_id=variant_id)
    row.download_limit, row.license_activations, row.license_days = download_limit, license_activations, license_days
    s.add(row)
    await s.flush()
    audit.record(s, actor, "digital.set_up", now, target_type="ProductVariant", target_id=variant_id,
                 download_limit=download_limit, license_activations=license_activations, license_days=license_days)
    return row


async def add_file(s: AsyncSession, actor: Actor, now: datetime, storage: FileStorage, variant_id: int,
                   upload: Upload, written: list[str]) -> DigitalFile:
    """Add a file to a digital variant (staff)."""
    variant = await lock_row(s, ProductVariant, variant_id)
    if variant is None or await repo.digital_variant(s, variant_id) is None:
        raise reject(DigitalErrorCode.NOT_FOUND, "No digital variant with that ID: set it up first",
                     "input", "variantId")
    data, kind = await read_upload(upload, MAX_FILE_BYTES, FILE_KINDS, "input", "file", codes=DigitalErrorCode)
    f = await store(storage, f"digital/v{variant_id}", upload, data, kind, written)
    row = DigitalFile(variant_id=variant_id, filename=f.filename, storage_key=f.key, content_type=kind.content_type,
                      size_bytes=f.size, sha256=f.sha256, created_at=now)
    s.add(row)
    await s.flush()
    audit.record(s, actor, "digital.file_add", now, target_type="DigitalFile", target_id=row.id,
                 variant_id=variant_id, size=f.size, type=kind.content_type)
    return row
