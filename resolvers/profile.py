"""A person's own profile, email address and address book; a location's addresses (its ADMIN);
the merchant's custom profile fields (STAFF_ADMIN)."""
from typing import Any

from db.models import Address, Location, ProfileField, User, UserAddress
from db.repositories.accounts import LocationRepository
from db.repositories.base import lock_row
from domain import addresses, profile
from domain.addresses import AddressErrorCode
from domain.errors import Problem, reject
from domain.identity import email_change
from domain.identity.errors import EmailChangeErrorCode
from domain.profile import ProfileFieldErrorCode
from resolvers.context import Context
from resolvers.globalid import decode_as, decode_or_reject
from resolvers.identity import env, guess, require_person, throttle
from resolvers.mutation import mutation, require
from resolvers.rows import find_row


async def viewer_user(ctx: Context, s: Any) -> User:
    """The caller's own user row, locked: a person's changes to itself run one after the other. A
    session the merchant's backend made acts for the person here (not for its email address)."""
    return await lock_row(s, User, require_person(ctx, delegated_ok=True))


@mutation("viewerUpdate", audit="profile.update")
async def viewer_update(ctx: Context, s: Any, changes: dict[str, Any]) -> dict[str, Any]:
    user = await viewer_user(ctx, s)
    return {"viewer": await profile.update(s, user, changes, ctx.actor, ctx.now)}


async def profile_values(ctx: Context, values: dict[str, Any] | None) -> list[tuple[ProfileField, Any]]:
    """Each custom field with the person's value, in the merchant's order."""
    return profile.shown_values(await ctx.loaders.accounts.profile_fields.load(0), values)


# Email ---------------------------------------------------------------------------------------------

@mutation("emailChangeRequest", audit="auth.email_change_requested", failed_audit="auth.email_change_failed")
async def email_change_request(ctx: Context, s: Any, new_email: str, password: str | None) -> dict[str, Any]:
    email_change.check_input(new_email, password)
    user_id = require_person(ctx)
    await throttle(ctx, "email_request", f"user:{user_id}")  # mails to addresses the person names
    await throttle(ctx, "verify", f"user:{user_id}")  # the password, as for twoFactorDisable
    user = await email_change.reauthenticate(s, user_id, password)
    return {"pending_email": await email_change.request_change(s, env(ctx), user, new_email)}


@mutation("emailChangeConfirm", audit="auth.email_changed", failed_audit="auth.email_change_failed",
          on_conflict=Problem(EmailChangeErrorCode.EMAIL_TAKEN, "This address belongs to another account now",
                              ("input", "token")))
async def email_change_confirm(ctx: Context, s: Any, token: str) -> dict[str, Any]:
    async with guess(ctx, "verify"):  # per IP: a token is its own secret, never a key
        user = await email_change.confirm_change(s, env(ctx), token)
    # Only the address that was confirmed: the link may be opened by anyone holding it.
    return {"email": user.email}


@mutation("emailChangeUndo", audit="auth.email_change_undone", failed_audit="auth.email_change_failed",
          on_conflict=Problem(EmailChangeErrorCode.EMAIL_TAKEN, "This address belongs to another account now",
                              ("input", "token")))
async def email_change_undo(ctx: Context, s: Any, token: str) -> dict[str, Any]:
    async with guess(ctx, "verify"):
        revoked = await email_change.undo_change(s, env(ctx), token)
    return {"sessions_revoked": revoked}


# Addresses -----------------------------------------------------------------------------------------

def _book_id(gid: str | None) -> int | None:
    return None if gid is None else decode_or_reject(gid, "UserAddress", AddressErrorCode.ADDRESS_NOT_FOUND,
                                                     "input", "id")


@mutation("viewerAddressSave", audit="address.save")
async def viewer_address_save(ctx: Context, s: Any, address_gid: str | None, data: dict[str, Any]) -> dict[str, Any]:
    user = await viewer_user(ctx, s)
    return {"address": await addresses.save(s, user, _book_id(address_gid), data, ctx.actor, ctx.now)}


@mutation("viewerAddressDelete", audit="address.delete")
async def viewer_address_delete(ctx: Context, s: Any, address_gid: str) -> dict[str, Any]:
    user = await viewer_user(ctx, s)
    await addresses.delete(s, user, _book_id(address_gid), ctx.actor, ctx.now)  # type: ignore[arg-type]
    return {"deleted_id": address_gid}


async def _location(ctx: Context, s: Any, gid: str, key: str) -> Location:
    location = await find_row(LocationRepository(s, ctx.scope("rows:Location")), gid, "Location",
                              AddressErrorCode.LOCATION_NOT_FOUND, "locationId", lock=False)
    require(ctx, key, location.account_id, location.id)
    return location


async def _location_of(ctx: Context, s: Any, address_gid: str, key: str) -> tuple[Location, int]:
    """The location of an address the caller may change: an address of a location it does not see
    is not found, like one that does not exist."""
    pk = decode_or_reject(address_gid, "Address", AddressErrorCode.ADDRESS_NOT_FOUND, "input", "id")
    found = await s.get(Address, pk)
    location = await LocationRepository(s, ctx.scope("rows:Location")).get(found.location_id) if found else None
    if location is None:
        raise reject(AddressErrorCode.ADDRESS_NOT_FOUND, "No address with that ID", "input", "id")
    require(ctx, key, location.account_id, location.id)
    return location, pk


@mutation("locationAddressSave", audit="address.save")
async def location_address_save(ctx: Context, s: Any, location_gid: str | None, address_gid: str | None,
                                data: dict[str, Any]) -> dict[str, Any]:
    if address_gid is not None:
        location, pk = await _location_of(ctx, s, address_gid, "Mutation.locationAddressSave")
    elif location_gid is not None:
        location, pk = await _location(ctx, s, location_gid, "Mutation.locationAddressSave"), None  # type: ignore[assignment]
    else:
        raise reject(AddressErrorCode.LOCATION_NOT_FOUND, "Give the locationId of a new address", "input",
                     "locationId")
    address = await addresses.save(s, location, pk, data, ctx.actor, ctx.now)
    return {"address": address, "location": location}


@mutation("locationAddressDelete", audit="address.delete")
async def location_address_delete(ctx: Context, s: Any, address_gid: str) -> dict[str, Any]:
    location, pk = await _location_of(ctx, s, address_gid, "Mutation.locationAddressDelete")
    await addresses.delete(s, location, pk, ctx.actor, ctx.now)
    return {"deleted_id": address_gid, "location": location}


# Custom profile fields (staff) ---------------------------------------------------------------------

@mutation("profileFieldSave", audit="profile_field.save",
          on_conflict=Problem(ProfileFieldErrorCode.KEY_TAKEN, "A profile field with this key exists",
                              ("input", "key")))
async def profile_field_save(ctx: Context, s: Any, field_gid: str | None, changes: dict[str, Any]) -> dict[str, Any]:
    pk = None if field_gid is None else decode_as(field_gid, "ProfileField")
    return {"field": await profile.define(s, pk, changes, ctx.actor, ctx.now)}


@mutation("profileFieldDelete", audit="profile_field.delete")
async def profile_field_delete(ctx: Context, s: Any, field_gid: str) -> dict[str, Any]:
    await profile.remove(s, decode_as(field_gid, "ProfileField"), ctx.actor, ctx.now)
    return {"deleted_id": field_gid}


async def profile_fields(ctx: Context) -> list[ProfileField]:
    return await ctx.loaders.accounts.profile_fields.load(0)


async def address_book(ctx: Context, user_id: int) -> list[UserAddress]:
    return await ctx.loaders.accounts.book.load(user_id)
