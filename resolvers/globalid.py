"""Opaque global IDs: base64 of "Type:id". Clients must not parse them."""
import base64
import binascii
from enum import StrEnum

from graphql import GraphQLError

from domain.errors import reject
from resolvers.errors import bad_input


def encode(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, int]:
    """(type name, primary key); a malformed ID is BAD_USER_INPUT."""
    try:
        if len(global_id) > 200:
            raise ValueError
        raw = base64.urlsafe_b64decode((global_id + "=" * (-len(global_id) % 4)).encode()).decode()
        type_name, _, pk = raw.partition(":")
        if not type_name.isidentifier() or not pk.isdigit() or len(pk) > 18:
            raise ValueError
        return type_name, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input(f"Malformed ID: {global_id[:60]!r}") from None


def decode_as(global_id: str, type_name: str) -> int:
    """The primary key of an ID that must name `type_name`."""
    found, pk = decode(global_id)
    if found != type_name:
        raise bad_input(f"Expected an ID of a {type_name}, got one of a {found}")
    return pk


def decode_or_reject(global_id: str, type_name: str, code: StrEnum, *field: str) -> int:
    """The primary key of an ID of `type_name`; malformed or of another type: a userError with
    `code` at `field` (for IDs inside a mutation's input, where the payload reports problems)."""
    try:
        return decode_as(global_id, type_name)
    except GraphQLError as e:
        raise reject(code, e.message, *field) from None
