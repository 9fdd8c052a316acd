"""Files of accounts: documents the merchant shares, purchase-order files of orders, digital
products with their downloads, and license keys. Every file is in the file storage under
`storage_key`, a name we made; `filename` is only for showing (domain.file_types.display_name)."""
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import enum_field, utc_field, utcnow


class SharedDocument(SQLModel, table=True):
    """A contract or signed agreement shared with an account, seen by the roles in `roles`
    (",ADMIN,ACCOUNTS_PAYABLE,": commas around each, so one role is matched with LIKE)."""

    __tablename__ = "shared_document"
    __table_args__ = (sa.Index("ix_shared_document_account_created", "account_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    title: str = Field(max_length=200)
    roles: str = Field(max_length=120)
    filename: str = Field(max_length=120)
    storage_key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    shared_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)


class OrderFile(SQLModel, table=True):
    """A purchase-order file a buyer attached to an order; seen by whoever sees the order."""

    __tablename__ = "order_file"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="customer_order.id", index=True)
    # Copied from the order, so the files are scoped like orders without a join.
    account_id: int = Field(foreign_key="account.id")
    location_id: int = Field(foreign_key="location.id")
    uploaded_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    filename: str = Field(max_length=120)
    storage_key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    created_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.uploaded_by_user_id


class DigitalVariant(SQLModel, table=True):
    """What buying a variant gives besides goods: its files (downloads, at most `download_limit`
    per purchase when set) and a license key when `license_activations` is set (that many
    machines; valid `license_days` after purchase when set, else for good; a subscription's key
    as long as the subscription runs)."""

    __tablename__ = "digital_variant"

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="product_variant.id", sa_column_kwargs={"unique": True})
    download_limit: int | None = Field(default=None)
    license_activations: int | None = Field(default=None)
    license_days: int | None = Field(default=None)


class DigitalFile(SQLModel, table=True):
    __tablename__ = "digital_file"

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="product_variant.id", index=True)
    filename: str = Field(max_length=120)
    storage_key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    created_at: datetime = utc_field(default_factory=utcnow)


class DigitalPurchase(SQLModel, table=True):
    """The right to download a variant's files, granted by an order line once the order is open."""

    __tablename__ = "digital_purchase"
    __table_args__ = (sa.Index("ix_digital_purchase_account_created", "account_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_line_id: int = Field(foreign_key="order_line.id", sa_column_kwargs={"unique": True})
    order_id: int = Field(foreign_key="customer_order.id", index=True)
    variant_id: int = Field(foreign_key="product_variant.id")
    account_id: int = Field(foreign_key="account.id")
    location_id: int = Field(foreign_key="location.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")  # who placed the order
    download_limit: int | None = Field(default=None)
    downloads: int = Field(default=0)
    created_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.user_id


class DownloadEvent(SQLModel, table=True):
    __tablename__ = "download_event"

    id: int | None = Field(default=None, primary_key=True)
    purchase_id: int = Field(foreign_key="digital_purchase.id", index=True)
    file_id: int = Field(foreign_key="digital_file.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = utc_field(default_factory=utcnow)


class LicenseStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"  # by the merchant (or the account), may be enabled again
    REVOKED = "REVOKED"    # for good (its subscription ended)
    EXPIRED = "EXPIRED"    # shown, never stored: past expires_at


class LicenseKey(SQLModel, table=True):
    """The key itself is stored twice, neither readable from the database alone: SHA-256 for
    lookup, and sealed (domain.identity.sealing) so the owner can be shown it again."""

    __tablename__ = "license_key"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "variant_id"),
                      sa.Index("ix_license_key_account_created", "account_id", "created_at", "id"))

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    key_sealed: str = Field(max_length=400)
    suffix: str = Field(max_length=8)
    variant_id: int = Field(foreign_key="product_variant.id")
    account_id: int = Field(foreign_key="account.id")
    location_id: int | None = Field(default=None, foreign_key="location.id")  # None: the account's subscription
    user_id: int | None = Field(default=None, foreign_key="user.id")
    purchase_id: int | None = Field(default=None, foreign_key="digital_purchase.id", index=True)
    subscription_id: int | None = Field(default=None, foreign_key="subscription.id")
    status: LicenseStatus = enum_field(LicenseStatus, default=LicenseStatus.ACTIVE)
    max_activations: int
    expires_at: datetime | None = utc_field(nullable=True, default=None)
    created_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.user_id


class LicenseActivation(SQLModel, table=True):
    __tablename__ = "license_activation"
    __table_args__ = (sa.UniqueConstraint("license_id", "instance"),)

    id: int | None = Field(default=None, primary_key=True)
    license_id: int = Field(foreign_key="license_key.id", index=True)
    instance: str = Field(max_length=200)
    created_at: datetime = utc_field(default_factory=utcnow)
    last_seen_at: datetime = utc_field(default_factory=utcnow)
