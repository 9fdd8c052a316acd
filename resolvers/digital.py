"""Digital products (staff set them up), the purchases and license keys customers see, signed
downloads and the public license routes' work."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import GraphQLError

from db.models import DigitalFile, DigitalPurchase, DigitalVariant, LicenseKey, Subscription
from db.models.files import LicenseStatus
from db.repositories.digital import DigitalPurchaseRepository
from db.repositories.licenses import LicenseKeyRepository
from domain import digital, licenses
from domain.digital import DigitalErrorCode, SignedLink
from domain.errors import Problem, Rejected
from domain.licenses import LicenseErrorCode, Verdict
from resolvers.account_files import keeping_files
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError, unauthenticated
from resolvers.globalid import decode_as, decode_or_reject, encode
from resolvers.mutation import mutation

DOWNLOAD_ROUTE = "/downloads/digital/"


@dataclass
class DigitalPayload:
    digital_product: DigitalVariant | None = None
    file: DigitalFile | None = None
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class LicenseKeyPayload:
    license_key: LicenseKey | None = None
    user_errors: list[UserError] = field(default_factory=list)


@mutation("digitalProductSetUp", DigitalPayload, audit="digital.set_up")
async def digital_product_set_up(ctx: Context, s: Any, variant_id: str, download_limit: int | None,
                                 license_activations: int | None, license_days: int | None) -> dict[str, Any]:
    vid = decode_or_reject(variant_id, "ProductVariant", DigitalErrorCode.NOT_FOUND, "input", "variantId")
    row = await digital.set_up(s, ctx.actor, ctx.now, vid, download_limit, license_activations, license_days)
    return {"digital_product": row}


@mutation("digitalFileAdd", DigitalPayload, audit="digital.file_add")
async def _file_add(ctx: Context, s: Any, variant_id: str, file: Any, written: list[str]) -> dict[str, Any]:
    vid = decode_or_reject(variant_id, "ProductVariant", DigitalErrorCode.NOT_FOUND, "input", "variantId")
    return {"file": await digital.add_file(s, ctx.actor, ctx.now, ctx.storage, vid, file, written)}


async def digital_file_add(ctx: Context, variant_id: str, file: Any) -> DigitalPayload:
    return await keeping_files(ctx, lambda written: _file_add(ctx, variant_id, file, written))


async def _set_disabled(ctx: Context, s: Any, license_id: str, disabled: bool) -> dict[str, Any]:
    pk = decode_or_reject(license_id, "LicenseKey", LicenseErrorCode.NOT_FOUND, "input", "id")
    return {"license_key": await licenses.set_disabled(s, ctx.actor, ctx.now, pk, disabled)}


@mutation("licenseKeyDisable", LicenseKeyPayload, audit="license.disable")
async def license_key_disable(ctx: Context, s: Any, license_id: str) -> dict[str, Any]:
    return await _set_disabled(ctx, s, license_id, True)


@mutation("licenseKeyEnable", LicenseKeyPayload, audit="license.enable")
async def license_key_enable(ctx: Context, s: Any, license_id: str) -> dict[str, Any]:
    return await _set_disabled(ctx, s, license_id, False)


async def digital_purchases(ctx: Context, order_id: str | None, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    scope = ctx.scope("rows:DigitalPurchase")
    order_ids = (decode_as(order_id, "Order"),) if order_id else ()
    return await paginate(ctx, lambda s: DigitalPurchaseRepository(s, scope), order_ids, window)


async def license_keys(ctx: Context, account_id: str | None, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    scope = ctx.scope("rows:LicenseKey")
    account_ids = (decode_as(account_id, "Account"),) if account_id else ()
    return await paginate(ctx, lambda s: LicenseKeyRepository(s, scope), account_ids, window)


@dataclass
class PurchaseFile:
    """A file of a purchase, to link to for the caller."""

    file: DigitalFile
    purchase_id: int


@dataclass
class FileLink:
    url: str
    expires_at: datetime


def purchase_files(files: list[DigitalFile], purchase: DigitalPurchase) -> list[PurchaseFile]:
    return [PurchaseFile(f, purchase.id) for f in files]  # type: ignore[arg-type]


def download_link(ctx: Context, pf: PurchaseFile) -> FileLink:
    """A link made for the caller, expiring LINK_MINUTES from the request's instant."""
    link = digital.sign(pf.purchase_id, pf.file.id, ctx.caller.user_id or 0, ctx.now, ctx.settings.secret_key)  # type: ignore[arg-type]
    url = (f"{DOWNLOAD_ROUTE}{encode('DigitalPurchase', link.purchase_id)}/{encode('DigitalFile', link.file_id)}"
           f"?user={link.user_id}&expires={link.expires}&signature={link.signature}")
    return FileLink(url, datetime.fromtimestamp(link.expires, ctx.now.tzinfo))


async def _subscription(ctx: Context, row: LicenseKey) -> Subscription | None:
    return await ctx.loaders.files.subscription.load(row.subscription_id) if row.subscription_id else None


async def license_status(ctx: Context, row: LicenseKey) -> LicenseStatus:
    return licenses.status(row, await _subscription(ctx, row), ctx.now)


async def license_expiry(ctx: Context, row: LicenseKey) -> datetime | None:
    return licenses.expires_at(row, await _subscription(ctx, row))


def license_reveal(ctx: Context, row: LicenseKey) -> str | None:
    return licenses.reveal(row, ctx.settings.secret_key)


@dataclass
class Served:
    data: bytes
    content_type: str
    filename: str


async def digital_download(ctx: Context, purchase_gid: str, file_gid: str, user: str, expires: str,
                           signature: str) -> Served | Rejected:
    """A file by its signed link (no bearer token: the link is the credential), counted; the
    coded refusal otherwise. Rate limited per link's user and per IP."""
    try:
        link = SignedLink(decode_as(purchase_gid, "DigitalPurchase"), decode_as(file_gid, "DigitalFile"),
                          int(user), int(expires), signature)
    except (ValueError, GraphQLError):  # any malformed part: a link we did not make
        return Rejected(Problem(DigitalErrorCode.LINK_INVALID, "This download link is not valid"))
    await ctx.limiter.hit("digital_download", ctx.now, subject=f"user:{link.user_id}", ip=ctx.client_ip)
    try:
        async with ctx.db.transaction() as s:
            found = await digital.download(s, link, ctx.now, ctx.settings.secret_key, ctx.storage, ctx.client_ip)
    except Rejected as e:
        return e
    return Served(found.data, found.file.content_type, found.file.filename)


async def license_call(ctx: Context, action: str, key: Any, instance: Any) -> Verdict:
    """activate, validate or deactivate; Throttled over the limits per IP and per key."""
    key = key if isinstance(key, str) else ""
    instance = instance if isinstance(instance, str) else None
    # Counted by the key's hash: the key itself is never written to the limiter's store.
    await ctx.limiter.hit("license", ctx.now, subject=licenses.key_hash(key)[:32] if key else None, ip=ctx.client_ip)
    if action != "validate" and instance is None:
        return Verdict(licenses.LicenseAnswer.INVALID_REQUEST)
    work = {"activate": licenses.activate, "validate": licenses.validate, "deactivate": licenses.deactivate}[action]
    async with ctx.db.transaction() as s:
        return await work(s, key, instance, ctx.now)  # type: ignore[operator, arg-type]

