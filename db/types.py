"""Column types shared by the tables: UTC timestamps and exact money on SQLite and PostgreSQL."""
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field


class UTCDateTime(sa.TypeDecorator):
    """Stores UTC; always returns aware datetimes (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Amount(sa.TypeDecorator):
    """Decimal with 4 places. SQLite has no decimal type, so it is kept as an integer of
    ten-thousandths there: exact, and still ordered and comparable in SQL."""

    impl = sa.Numeric(18, 4)
    cache_ok = True
    SCALE = Decimal("10000")

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(18, 4))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        if dialect.name == "sqlite":
            return int((value * self.SCALE).to_integral_value())
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(value) / self.SCALE).quantize(Decimal("0.0001"))
        return Decimal(value).quantize(Decimal("0.0001"))


def utc_field(*, nullable: bool = False, index: bool = False, **kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index, **kw)


def amount_field(*, nullable: bool = False, default: Any = None, **kw: Any) -> Any:
    if default is None and not nullable:
        return Field(sa_type=Amount, nullable=False, **kw)
    return Field(default=default, sa_type=Amount, nullable=nullable, **kw)


def enum_field(enum: type[Enum], *, default: Any = None, index: bool = False, **kw: Any) -> Any:
    # Stored as plain strings (no native PostgreSQL enum): adding a value needs no migration.
    col = sa.Enum(enum, native_enum=False, length=32, create_constraint=False,
                  values_callable=lambda e: [m.value for m in e])
    if default is None:
        return Field(sa_type=col, index=index, **kw)
    return Field(default=default, sa_type=col, index=index, **kw)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
