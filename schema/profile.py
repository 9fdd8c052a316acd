"""A person's profile (viewerUpdate), email change, address book and a location's addresses, and
the merchant's custom profile fields (profileFields, profileFieldSave)."""
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from db.enums import ProfileFieldType
from domain.addresses import AddressErrorCode
from domain.identity.errors import EmailChangeErrorCode
from domain.profile import ProfileErrorCode, ProfileFieldErrorCode
from permissions.checks import authenticated
from resolvers import profile as resolve
from schema.common import MailingAddress, UserError, node_id, user_errors
from schema.staff import changes

if TYPE_CHECKING:
    from schema.accounts import Address, AddressKindEnum, Location, Viewer

ProfileFieldTypeEnum = strawberry.enum(ProfileFieldType, name="ProfileFieldType")
ProfileErrorCodeEnum = strawberry.enum(ProfileErrorCode, name="ProfileErrorCode")
ProfileFieldErrorCodeEnum = strawberry.enum(ProfileFieldErrorCode, name="ProfileFieldErrorCode")
EmailChangeErrorCodeEnum = strawberry.enum(EmailChangeErrorCode, name="EmailChangeErrorCode")
AddressErrorCodeEnum = strawberry.enum(AddressErrorCode, name="AddressErrorCode")
_Kind = Annotated["AddressKindEnum", strawberry.lazy("schema.accounts")]


@strawberry.type(description="A field the merchant adds to every customer's profile.")
class ProfileField:
    id: strawberry.ID = node_id("ProfileField")
    key: str
    label: str
    type: ProfileFieldTypeEnum  # type: ignore[valid-type]
    choices: list[str] = strawberry.field(description="The values a CHOICE field takes.")
    required: bool
    position: int


@strawberry.type(description="A custom profile field with a person's value: text; a NUMBER as a decimal "
                             "string, a DATE as YYYY-MM-DD, a CHOICE as one of the choices; null when not set.")
class ProfileFieldValue:
    field: ProfileField
    value: str | None


def field_values(pairs: list[tuple[Any, Any]]) -> list[ProfileFieldValue]:
    return [ProfileFieldValue(field=f, value=v) for f, v in pairs]  # type: ignore[arg-type]


@strawberry.type(description="An address of the viewer's own address book.")
class UserAddress(MailingAddress):
    id: strawberry.ID = node_id("UserAddress")
    kind: _Kind  # type: ignore[valid-type]
    is_default: bool = strawberry.field(description="The default address of its kind (one per kind).")
    label: str | None


@strawberry.type
class ProfileError(UserError):
    is_type_of = user_errors()
    code: ProfileErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class ProfileFieldError(UserError):
    is_type_of = user_errors()
    code: ProfileFieldErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class EmailChangeError(UserError):
    is_type_of = user_errors()
    code: EmailChangeErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class AddressError(UserError):
    is_type_of = user_errors()
    code: AddressErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class CustomFieldValueInput:
    key: str
    value: str | None = strawberry.field(default=None, description="Null or blank clears the value.")


@strawberry.input(description="Fields left out stay as they are; null clears the phone, locale or time zone.")
class ViewerUpdateInput:
    name: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    locale: str | None = strawberry.field(default=strawberry.UNSET, description="Such as en, de or en-GB: "
                                          "the language of the emails sent to you.")
    time_zone: str | None = strawberry.field(default=strawberry.UNSET, description="An IANA time zone such as "
                                             "Europe/Berlin.")
    custom_fields: list[CustomFieldValueInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Values of the merchant's profile fields to set; the others keep "
        "theirs. Required fields must have a value afterwards.")


@strawberry.input
class EmailChangeRequestInput:
    new_email: str
    password: str | None = strawberry.field(default=None, description="Your password (when you have one).")


@strawberry.input
class EmailChangeTokenInput:
    token: str


@strawberry.input(description="A new address without id, else the changed one (replaced as a whole). Checked "
                               "as billing details are: an ISO country, the region where the country needs "
                               "one, the postal code in the country's format.")
class ViewerAddressSaveInput:
    id: strawberry.ID | None = None
    kind: _Kind  # type: ignore[valid-type]
    line1: str
    city: str
    country: str = strawberry.field(description="ISO 3166 two-letter code.")
    is_default: bool | None = strawberry.field(default=None, description="Make it the default of its kind (true) "
                                               "or not (false); left out, a new address is not and a changed one "
                                               "keeps its mark.")
    label: str | None = None
    recipient: str | None = None
    line2: str | None = None
    region: str | None = None
    postal_code: str | None = None


@strawberry.input(description="A new address of the location (locationId) or a changed one (id), replaced as a "
                               "whole; checked as ViewerAddressSaveInput is.")
class LocationAddressSaveInput:
    location_id: strawberry.ID | None = None
    id: strawberry.ID | None = None
    kind: _Kind  # type: ignore[valid-type]
    line1: str
    city: str
    country: str
    is_default: bool | None = None
    recipient: str | None = None
    line2: str | None = None
    region: str | None = None
    postal_code: str | None = None


@strawberry.input
class AddressDeleteInput:
    id: strawberry.ID


@strawberry.input(description="A new field without id (key and label required), else the fields given change.")
class ProfileFieldSaveInput:
    id: strawberry.ID | None = None
    key: str | None = strawberry.field(default=strawberry.UNSET, description="Lower-case letters, digits and _.")
    label: str | None = strawberry.UNSET
    type: ProfileFieldTypeEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    choices: list[str] | None = strawberry.UNSET
    required: bool | None = strawberry.UNSET
    position: int | None = strawberry.UNSET


@strawberry.input
class ProfileFieldDeleteInput:
    id: strawberry.ID


@strawberry.type
class ViewerUpdatePayload:
    viewer: Annotated["Viewer", strawberry.lazy("schema.accounts")] | None
    user_errors: list[ProfileError]


@strawberry.type(description="The confirmation link went to the new address; the account keeps its address "
                             "until it is followed.")
class EmailChangeRequestPayload:
    pending_email: str | None
    user_errors: list[EmailChangeError]


@strawberry.type
class EmailChangeConfirmPayload:
    email: str | None = strawberry.field(description="The account's address now.")
    user_errors: list[EmailChangeError]


@strawberry.type
class EmailChangeUndoPayload:
    sessions_revoked: int | None = strawberry.field(description="Sessions that were signed out: sign in again.")
    user_errors: list[EmailChangeError]


@strawberry.type
class ViewerAddressPayload:
    address: UserAddress | None
    deleted_id: strawberry.ID | None
    user_errors: list[AddressError]


@strawberry.type
class LocationAddressPayload:
    address: Annotated["Address", strawberry.lazy("schema.accounts")] | None
    location: Annotated["Location", strawberry.lazy("schema.accounts")] | None
    deleted_id: strawberry.ID | None
    user_errors: list[AddressError]


@strawberry.type
class ProfileFieldPayload:
    field: ProfileField | None
    deleted_id: strawberry.ID | None
    user_errors: list[ProfileFieldError]


def _address(input: Any) -> dict[str, Any]:
    data = changes(input)
    data.pop("id", None)
    data.pop("location_id", None)
    return data


@strawberry.type
class ProfileQueries:
    @authenticated(description="The merchant's custom profile fields, in their order.")
    async def profile_fields(self, info: Info) -> list[ProfileField]:
        return await resolve.profile_fields(info.context)  # type: ignore[return-value]


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(description="Change your own name, phone, locale, time zone and custom profile fields.")
    async def viewer_update(self, info: Info, input: ViewerUpdateInput) -> ViewerUpdatePayload:
        found = changes(input)
        if found.get("custom_fields") is not None:
            found["custom_fields"] = [{"key": f.key, "value": f.value} for f in found["custom_fields"]]
        return await resolve.viewer_update(info.context, found)  # type: ignore[return-value]

    @strawberry.mutation(description="Change your email address: a link to the new address confirms it (24 hours). "
                                     "An address that has an account is refused.")
    async def email_change_request(self, info: Info, input: EmailChangeRequestInput) -> EmailChangeRequestPayload:
        return await resolve.email_change_request(info.context, input.new_email, input.password)  # type: ignore[return-value]

    @strawberry.mutation(description="Follow the link mailed to the new address: the account takes it, and the old "
                                     "address is told (with a link that undoes the change for 72 hours).")
    async def email_change_confirm(self, info: Info, input: EmailChangeTokenInput) -> EmailChangeConfirmPayload:
        return await resolve.email_change_confirm(info.context, input.token)  # type: ignore[return-value]

    @strawberry.mutation(description="Follow the link mailed to the old address: it is the account's again, and "
                                     "every session is signed out.")
    async def email_change_undo(self, info: Info, input: EmailChangeTokenInput) -> EmailChangeUndoPayload:
        return await resolve.email_change_undo(info.context, input.token)  # type: ignore[return-value]

    @strawberry.mutation(description="Add or change an address of your own address book.")
    async def viewer_address_save(self, info: Info, input: ViewerAddressSaveInput) -> ViewerAddressPayload:
        return await resolve.viewer_address_save(info.context, input.id, _address(input))  # type: ignore[return-value]

    @strawberry.mutation(description="Delete an address of your own address book (orders keep their copy).")
    async def viewer_address_delete(self, info: Info, input: AddressDeleteInput) -> ViewerAddressPayload:
        return await resolve.viewer_address_delete(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="ADMIN: add or change a shipping or billing address of a location.")
    async def location_address_save(self, info: Info, input: LocationAddressSaveInput) -> LocationAddressPayload:
        return await resolve.location_address_save(info.context, input.location_id, input.id,  # type: ignore[return-value]
                                                    _address(input))

    @strawberry.mutation(description="ADMIN: delete an address of a location (orders keep their copy).")
    async def location_address_delete(self, info: Info, input: AddressDeleteInput) -> LocationAddressPayload:
        return await resolve.location_address_delete(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="STAFF_ADMIN: add or change a custom profile field.")
    async def profile_field_save(self, info: Info, input: ProfileFieldSaveInput) -> ProfileFieldPayload:
        found = changes(input)
        found.pop("id", None)
        return await resolve.profile_field_save(info.context, input.id, found)  # type: ignore[return-value]

    @strawberry.mutation(description="STAFF_ADMIN: delete a custom profile field (people's values are no longer "
                                     "shown).")
    async def profile_field_delete(self, info: Info, input: ProfileFieldDeleteInput) -> ProfileFieldPayload:
        return await resolve.profile_field_delete(info.context, input.id)  # type: ignore[return-value]
