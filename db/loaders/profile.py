"""Batch functions of profiles: a person's address book, and the merchant's custom profile fields."""
from collections.abc import Sequence
from typing import Any

from sqlmodel import select

from db.engine import Database
from db.loaders import children
from db.models import ProfileField, UserAddress
from db.reads import Read

addresses_by_user = children(UserAddress, "user_id", UserAddress.is_default.desc())
_FIELDS = Read(select(ProfileField).order_by(ProfileField.position, ProfileField.id))


async def profile_fields(db: Database, keys: Sequence[Any]) -> list[list[ProfileField]]:
    """Every field definition, in the merchant's order (one read, whatever the keys: load it with 0)."""
    async with db.connection() as conn:
        fields = await _FIELDS.instances(conn, ProfileField)
    return [fields for _ in keys]
