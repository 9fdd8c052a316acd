"""Billing details: the typed object on Account (as they are) and Invoice (as issued), and
billingDetailsUpdate for the account's ADMIN and ACCOUNTS_PAYABLE."""
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.billing_details import BillingDetailsErrorCode
from resolvers import billing_details as resolve
from schema.common import UserError, user_errors
from schema.staff import changes

if TYPE_CHECKING:
    from schema.accounts import Account

BillingDetailsErrorCodeEnum = strawberry.enum(BillingDetailsErrorCode, name="BillingDetailsErrorCode")


@strawberry.type(description="Who is invoiced and where; on an invoice, as they were when it was issued.")
class BillingDetails:
    name: str | None = strawberry.field(description="The account's name.")
    business_name: str | None
    tax_id: str | None = strawberry.field(description="VAT number or other tax ID, in its canonical form.")
    is_business: bool
    country: str | None = strawberry.field(description="ISO 3166 two-letter code.")
    region: str | None = strawberry.field(description="State or province: the ISO 3166-2 subdivision (CA, NY, "
                                                      "ON) where the country has them.")
    postal_code: str | None
    tax_exempt: bool = strawberry.field(description="Set by the merchant from an exemption certificate.")
    exemption_reference: str | None = strawberry.field(description="The exemption certificate's reference.")


@strawberry.input(description="Fields left out stay as they are; null clears one. Checked together: an ISO "
                               "country, the region where the country needs one, the postal code and tax ID "
                               "in the country's format.")
class BillingDetailsUpdateInput:
    account_id: strawberry.ID
    business_name: str | None = strawberry.UNSET
    tax_id: str | None = strawberry.UNSET
    is_business: bool | None = strawberry.UNSET
    country: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    postal_code: str | None = strawberry.UNSET


@strawberry.type
class BillingDetailsError(UserError):
    is_type_of = user_errors()
    code: BillingDetailsErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class BillingDetailsPayload:
    account: Annotated["Account", strawberry.lazy("schema.accounts")] | None
    user_errors: list[BillingDetailsError]


@strawberry.type
class BillingDetailsMutations:
    @strawberry.mutation(description="ADMIN or ACCOUNTS_PAYABLE: change the account's billing details; invoices "
                                     "finalised afterwards carry them.")
    async def billing_details_update(self, info: Info, input: BillingDetailsUpdateInput) -> BillingDetailsPayload:
        found = changes(input)
        return await resolve.billing_details_update(info.context, found.pop("account_id"), found)  # type: ignore[return-value]
