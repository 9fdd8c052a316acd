"""Shared documents, purchase-order files, digital products with their downloads, and license keys."""
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from db.models.files import LicenseStatus
from domain.account_files import FileErrorCode, roles_of
from domain.digital import DigitalErrorCode
from domain.licenses import LicenseErrorCode
from permissions.checks import authenticated, guarded
from resolvers import account_files as resolve_files
from resolvers import digital as resolve
from resolvers.connections import Window
from resolvers.globalid import decode_as, encode
from schema.accounts import RoleEnum
from schema.common import Connection, UserError, node_id, user_errors
from schema.relations import loads, relation

if TYPE_CHECKING:
    from schema.orders import Order

FileErrorCodeEnum = strawberry.enum(FileErrorCode, name="FileErrorCode")
DigitalErrorCodeEnum = strawberry.enum(DigitalErrorCode, name="DigitalErrorCode")
LicenseErrorCodeEnum = strawberry.enum(LicenseErrorCode, name="LicenseErrorCode")
LicenseStatusEnum = strawberry.enum(LicenseStatus, name="LicenseStatus")

DOCUMENT_ROUTE = "/downloads/documents/"
ORDER_FILE_ROUTE = "/downloads/order-files/"


@strawberry.type(description="A contract or signed agreement the merchant shared with an account. Download it "
                             "from `url` with the same bearer token.")
class SharedDocument:
    id: strawberry.ID = node_id("SharedDocument")
    title: str
    filename: str = strawberry.field(description="The name to save it as (made from the uploaded one).")
    content_type: str
    size_bytes: int
    created_at: datetime

    @strawberry.field(description="The account's roles that see it.")
    def roles(self) -> list[RoleEnum]:  # type: ignore[valid-type]
        return roles_of(self)  # type: ignore[arg-type]

    @strawberry.field(description="The account it is shared with.")
    def account_id(self) -> strawberry.ID:
        return strawberry.ID(encode("Account", self.account_id))  # type: ignore[attr-defined]

    @strawberry.field(description="Path of the authenticated download, relative to the API's origin.")
    def url(self) -> str:
        return DOCUMENT_ROUTE + encode("SharedDocument", self.id)  # type: ignore[attr-defined]


SharedDocumentConnection = Connection[SharedDocument]


@strawberry.type(description="A purchase-order file attached to an order: seen by whoever sees the order. "
                             "Download it from `url` with the same bearer token.")
class PurchaseOrderFile:
    id: strawberry.ID = node_id("OrderFile")
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime

    @strawberry.field(description="Path of the authenticated download, relative to the API's origin.")
    def url(self) -> str:
        return ORDER_FILE_ROUTE + encode("OrderFile", self.id)  # type: ignore[attr-defined]


@strawberry.type(description="What buying a variant gives besides goods: files and, optionally, a license key.")
class DigitalProduct:
    download_limit: int | None = strawberry.field(description="Downloads per purchase; null: no limit.")
    license_activations: int | None = strawberry.field(
        description="Machines a purchased key activates on (times the quantity bought); null: no license key.")
    license_days: int | None = strawberry.field(description="Days a purchased key is valid; null: for good.")

    @strawberry.field
    def variant_id(self) -> strawberry.ID:
        return strawberry.ID(encode("ProductVariant", self.variant_id))  # type: ignore[attr-defined]


@strawberry.type(description="A file of a digital variant.")
class DigitalFile:
    id: strawberry.ID = node_id("DigitalFile")
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime


@strawberry.type(description="A file of a purchase with a link made for the caller: no token needed to follow "
                             "it, but it expires after 15 minutes and counts toward the purchase's limit.")
class DigitalDownload:
    file: DigitalFile

    @strawberry.field(description="Path of the signed download, relative to the API's origin.")
    def url(self, info: Info) -> str:
        return resolve.download_link(info.context, self).url  # type: ignore[arg-type]

    @strawberry.field
    def expires_at(self, info: Info) -> datetime:
        return resolve.download_link(info.context, self).expires_at  # type: ignore[arg-type]


@strawberry.type(description="One download of a purchase's file.")
class DownloadEvent:
    created_at: datetime

    @strawberry.field
    def file_id(self) -> strawberry.ID:
        return strawberry.ID(encode("DigitalFile", self.file_id))  # type: ignore[attr-defined]


@strawberry.type(description="The files a digital order line gives, to download.")
class DigitalPurchase:
    id: strawberry.ID = node_id("DigitalPurchase")
    download_limit: int | None = strawberry.field(description="Downloads it allows; null: no limit.")
    downloads: int = strawberry.field(description="Downloads so far.")
    created_at: datetime
    order = relation(Annotated["Order", strawberry.lazy("schema.orders")], "orders.order", "order_id")

    files = relation("list[DigitalDownload]", "files.files", "variant_id", shape=resolve.purchase_files,
                     description="Its files, each with a signed link for the caller.")
    download_history = relation("list[DownloadEvent]", "files.downloads", description="Its downloads, oldest first.")


DigitalPurchaseConnection = Connection[DigitalPurchase]


@strawberry.type(description="A license key: software activates it on machines (POST /licenses/activate).")
class LicenseKey:
    id: strawberry.ID = node_id("LicenseKey")
    suffix: str = strawberry.field(description="Its last characters, to tell keys apart.")
    max_activations: int
    created_at: datetime

    @guarded("LicenseKey.key", description="The key itself.")
    def key(self, info: Info) -> str | None:
        return resolve.license_reveal(info.context, self)  # type: ignore[arg-type]

    activations = relation("int", "files.activations", description="Machines it is active on.")

    @strawberry.field(description="ACTIVE, DISABLED, REVOKED (its subscription ended) or EXPIRED.")
    @loads("files.subscription", "subscription_id")
    async def status(self, info: Info) -> LicenseStatusEnum:  # type: ignore[valid-type]
        return await resolve.license_status(info.context, self)  # type: ignore[arg-type]

    @strawberry.field(description="When it stops working; a subscription's key: its paid period's end.")
    @loads("files.subscription", "subscription_id")
    async def expires_at(self, info: Info) -> datetime | None:
        return await resolve.license_expiry(info.context, self)  # type: ignore[arg-type]


LicenseKeyConnection = Connection[LicenseKey]


@strawberry.type
class FileError(UserError):
    is_type_of = user_errors()
    code: FileErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class DigitalError(UserError):
    is_type_of = user_errors()
    code: DigitalErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class LicenseKeyError(UserError):
    is_type_of = user_errors()
    code: LicenseErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class DocumentShareInput:
    account_id: strawberry.ID
    title: str
    file: Upload = strawberry.field(description="PDF, Word (DOCX), Excel (XLSX), text or an image, up to 10 MB, "
                                                "recognised by its content; sent as a GraphQL multipart request.")
    roles: list[RoleEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The account's roles that see it; default ADMIN and ACCOUNTS_PAYABLE.")


@strawberry.input
class DocumentUnshareInput:
    id: strawberry.ID


@strawberry.input
class PurchaseOrderFileAddInput:
    order_id: strawberry.ID
    file: Upload = strawberry.field(description="PDF, DOCX, XLSX or an image, up to 10 MB; at most 5 per order.")


@strawberry.input
class DigitalProductSetUpInput:
    variant_id: strawberry.ID
    download_limit: int | None = None
    license_activations: int | None = None
    license_days: int | None = None


@strawberry.input
class DigitalFileAddInput:
    variant_id: strawberry.ID
    file: Upload = strawberry.field(description="PDF, Office, text, an image or a ZIP archive, up to 40 MB.")


@strawberry.input
class LicenseKeyInput:
    id: strawberry.ID


@strawberry.type
class SharedDocumentPayload:
    document: SharedDocument | None
    user_errors: list[FileError]


@strawberry.type
class PurchaseOrderFilePayload:
    order_file: PurchaseOrderFile | None
    user_errors: list[FileError]


@strawberry.type
class DigitalProductPayload:
    digital_product: DigitalProduct | None
    file: DigitalFile | None
    user_errors: list[DigitalError]


@strawberry.type
class LicenseKeyPayload:
    license_key: LicenseKey | None
    user_errors: list[LicenseKeyError]


@strawberry.type
class FileQueries:
    @authenticated(description="Documents the merchant shared with the caller's accounts, for its roles there, "
                               "newest first. Staff see all.")
    async def shared_documents(self, info: Info, account_id: strawberry.ID | None = None, first: int | None = None,
                               after: str | None = None, last: int | None = None,
                               before: str | None = None) -> SharedDocumentConnection:  # type: ignore[valid-type]
        return await resolve_files.shared_documents(info.context, account_id,  # type: ignore[return-value]
                                                    Window(first, after, last, before))

    @authenticated(description="Purchase-order files of an order the caller sees (none for one it does not).")
    async def purchase_order_files(self, info: Info, order_id: strawberry.ID) -> list[PurchaseOrderFile]:
        return await resolve_files.order_files(info.context, decode_as(order_id, "Order"))  # type: ignore[return-value]

    @authenticated(description="Digital purchases of the caller's locations, newest first.")
    async def digital_purchases(self, info: Info, order_id: strawberry.ID | None = None, first: int | None = None,
                                after: str | None = None, last: int | None = None,
                                before: str | None = None) -> DigitalPurchaseConnection:  # type: ignore[valid-type]
        return await resolve.digital_purchases(info.context, order_id,  # type: ignore[return-value]
                                               Window(first, after, last, before))

    @authenticated(description="License keys the caller sees, newest first.")
    async def license_keys(self, info: Info, account_id: strawberry.ID | None = None, first: int | None = None,
                           after: str | None = None, last: int | None = None,
                           before: str | None = None) -> LicenseKeyConnection:  # type: ignore[valid-type]
        return await resolve.license_keys(info.context, account_id,  # type: ignore[return-value]
                                          Window(first, after, last, before))


@strawberry.type
class FileMutations:
    @strawberry.mutation(description="Share a contract or agreement with an account (STAFF_ADMIN).")
    async def document_share(self, info: Info, input: DocumentShareInput) -> SharedDocumentPayload:
        return await resolve_files.document_share(info.context, input.account_id, input.title,  # type: ignore[return-value]
                                                  input.roles, input.file)

    @strawberry.mutation(description="Stop sharing a document; its file is deleted (STAFF_ADMIN).")
    async def document_unshare(self, info: Info, input: DocumentUnshareInput) -> SharedDocumentPayload:
        return await resolve_files.document_unshare(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Attach a purchase-order file to an order (BUYER or ADMIN of its location).")
    async def purchase_order_file_add(self, info: Info, input: PurchaseOrderFileAddInput) -> PurchaseOrderFilePayload:
        return await resolve_files.purchase_order_file_add(info.context, input.order_id, input.file)  # type: ignore[return-value]

    @strawberry.mutation(description="Make a variant digital, or change its download limit and license (STAFF_ADMIN).")
    async def digital_product_set_up(self, info: Info, input: DigitalProductSetUpInput) -> DigitalProductPayload:
        return await resolve.digital_product_set_up(  # type: ignore[return-value]
            info.context, input.variant_id, input.download_limit, input.license_activations, input.license_days)

    @strawberry.mutation(description="Add a file to a digital variant (STAFF_ADMIN).")
    async def digital_file_add(self, info: Info, input: DigitalFileAddInput) -> DigitalProductPayload:
        return await resolve.digital_file_add(info.context, input.variant_id, input.file)  # type: ignore[return-value]

    @strawberry.mutation(description="Disable a license key: its software stops validating (STAFF_ADMIN).")
    async def license_key_disable(self, info: Info, input: LicenseKeyInput) -> LicenseKeyPayload:
        return await resolve.license_key_disable(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Enable a disabled license key again (STAFF_ADMIN).")
    async def license_key_enable(self, info: Info, input: LicenseKeyInput) -> LicenseKeyPayload:
        return await resolve.license_key_enable(info.context, input.id)  # type: ignore[return-value]
