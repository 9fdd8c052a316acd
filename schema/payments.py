"""Saved payment methods: cards tokenized by the payment gateway (only brand, last four digits and
expiry are kept), managed by ADMIN and ACCOUNTS_PAYABLE."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db import models
from domain import payments as rules
from domain.payments import PaymentErrorCode
from resolvers import payments as resolve
from schema.common import Node, UserError, node_id, rows_of, user_errors

from domain.idempotency import IdempotencyErrorCode

if TYPE_CHECKING:
    from schema.billing import Payment

PaymentErrorCodeEnum = strawberry.enum(PaymentErrorCode, name="PaymentErrorCode")
# invoicePay's codes: the payments domain's and the idempotency key's.
_PAY_CODES = [c.value for e in (PaymentErrorCode, IdempotencyErrorCode) for c in e]
InvoicePayErrorCode = StrEnum("InvoicePayErrorCode", [(c, c) for c in _PAY_CODES])  # type: ignore[misc]
InvoicePayErrorCodeEnum = strawberry.enum(InvoicePayErrorCode, name="InvoicePayErrorCode",
                                          description="Why paying invoices failed.")


@strawberry.type(description="A card saved at the payment gateway. Only its brand, last four digits and expiry "
                             "are kept here; the gateway holds the card behind its token.")
class PaymentMethod(Node):
    id: strawberry.ID = node_id("PaymentMethod")
    is_type_of = rows_of(models.PaymentMethod)
    gateway: str = strawberry.field(description="The gateway that saved it: test or stripe.")
    brand: str = strawberry.field(description="visa, mastercard, amex, ... as the gateway names it.")
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool = strawberry.field(description="The method charges use unless told otherwise.")
    created_at: datetime

    @strawberry.field(description="Past its expiry month: it cannot be charged or made the default.")
    def expired(self, info: Info) -> bool:
        return rules.is_expired(self, info.context.now)  # type: ignore[arg-type]

    @strawberry.field(description="Still valid, but not 30 days from now: ask for the new card's expiry.")
    def expires_soon(self, info: Info) -> bool:
        return rules.expires_soon(self, info.context.now)  # type: ignore[arg-type]


@strawberry.type(description="A card setup (Stripe's SetupIntent) the customer confirms on the page with the "
                             "gateway's script and its client secret; then `paymentMethodAdd(setupId:)` saves it.")
class PaymentSetup:
    id: strawberry.ID = strawberry.field(resolver=lambda root: strawberry.ID(root.setup_id or ""))
    client_secret: str | None = strawberry.field(description="For the gateway's script on the page only: never "
                                                             "store or log it.")
    status: str = strawberry.field(resolver=lambda root: root.outcome.value,
                                   description="PENDING (to confirm), REQUIRES_ACTION (3-D Secure) or SUCCEEDED.")


@strawberry.type
class PaymentError(UserError):
    is_type_of = user_errors()
    code: PaymentErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class PaymentMethodSetupStartInput:
    account_id: strawberry.ID


@strawberry.input
class PaymentMethodAddInput:
    account_id: strawberry.ID
    token: str | None = strawberry.field(default=None, description="The card's token made on the page by the "
                                                                   "gateway's script (tok_... or pm_...).")
    setup_id: strawberry.ID | None = strawberry.field(default=None, description="A setup from "
                                                      "paymentMethodSetupStart that the customer confirmed.")
    make_default: bool = strawberry.field(default=False, description="The account's first method is the default "
                                                                     "anyway.")


@strawberry.input
class PaymentMethodIdInput:
    id: strawberry.ID


@strawberry.input
class PaymentMethodUpdateExpiryInput:
    id: strawberry.ID
    exp_month: int
    exp_year: int


@strawberry.type
class PaymentMethodPayload:
    payment_method: PaymentMethod | None
    setup: PaymentSetup | None = strawberry.field(description="The setup to complete on the page when the card "
                                                              "needs the customer's confirmation (REQUIRES_ACTION).")
    decline_code: str | None = strawberry.field(description="The gateway's reason for a declined card "
                                                            "(insufficient_funds, expired_card, ...).")
    user_errors: list[PaymentError]


@strawberry.type
class PaymentMethodRemovePayload:
    removed_id: strawberry.ID | None
    user_errors: list[PaymentError]


@strawberry.type
class InvoicePayError(UserError):
    is_type_of = user_errors()
    code: InvoicePayErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class InvoicePayPartInput:
    invoice_id: strawberry.ID
    amount: Decimal | None = strawberry.field(default=None, description="What to pay of it: all that is due when "
                                              "left out; at most that, in the currency's minor unit.")


@strawberry.input
class InvoicePayInput:
    account_id: strawberry.ID
    invoices: list[InvoicePayPartInput] = strawberry.field(description="Open invoices of the account, in one "
                                                                       "currency (1 to 50).")
    payment_method_id: strawberry.ID | None = strawberry.field(default=None, description="A saved card of the "
                                                               "account: one charge for the total.")
    use_account_credit: bool = strawberry.field(default=False, description="Pay from the account's credit "
                                                "balance instead of a card.")
    idempotency_key: str = strawberry.field(description="New for each payment: the same key and input again "
                                                        "returns the first result and never charges twice.")


@strawberry.type
class InvoicePayPayload:
    payments: list[Annotated["Payment", strawberry.lazy("schema.billing")]] = strawberry.field(
        description="One per invoice paid (or FAILED ones on a decline are in Account.payments).")
    replayed: bool = strawberry.field(description="The result of an earlier request with this idempotency key.")
    decline_code: str | None = strawberry.field(description="The gateway's reason for a declined card.")
    client_secret: str | None = strawberry.field(description="REQUIRES_ACTION: for the gateway's script on the "
                                                             "page to confirm the payment (3-D Secure).")
    user_errors: list[InvoicePayError]


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(description="Pay open invoices of one account in one currency, each in full or in part, "
                                     "with a saved card (one charge) or account credit, under an idempotency key "
                                     "(ADMIN, ACCOUNTS_PAYABLE).")
    async def invoice_pay(self, info: Info, input: InvoicePayInput) -> InvoicePayPayload:
        return await resolve.invoice_pay(info.context, input.account_id,  # type: ignore[return-value]
                                         [(p.invoice_id, p.amount) for p in input.invoices],
                                         input.payment_method_id, input.use_account_credit, input.idempotency_key)

    @strawberry.mutation(description="Start saving a card: a setup the customer confirms on the page (ADMIN, "
                                     "ACCOUNTS_PAYABLE; rate limited).")
    async def payment_method_setup_start(self, info: Info, input: PaymentMethodSetupStartInput) -> PaymentMethodPayload:
        return await resolve.setup_start(info.context, input.account_id)  # type: ignore[return-value]

    @strawberry.mutation(description="Save a card from its token, or from a setup the customer confirmed (ADMIN, "
                                     "ACCOUNTS_PAYABLE; rate limited). A declined card, or one that needs the "
                                     "customer's confirmation, is a userError and nothing is saved.")
    async def payment_method_add(self, info: Info, input: PaymentMethodAddInput) -> PaymentMethodPayload:
        return await resolve.add(info.context, input.account_id, input.token, input.setup_id,  # type: ignore[return-value]
                                 input.make_default)

    @strawberry.mutation(description="Make a method the account's default (not an expired one).")
    async def payment_method_set_default(self, info: Info, input: PaymentMethodIdInput) -> PaymentMethodPayload:
        return await resolve.set_default(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Change a saved card's expiry (a renewed card with the same number).")
    async def payment_method_update_expiry(self, info: Info,
                                           input: PaymentMethodUpdateExpiryInput) -> PaymentMethodPayload:
        return await resolve.update_expiry(info.context, input.id, input.exp_month, input.exp_year)  # type: ignore[return-value]

    @strawberry.mutation(description="Remove a saved method; never the last one while a subscription of the "
                                     "account is charged automatically. The newest other becomes the default.")
    async def payment_method_remove(self, info: Info, input: PaymentMethodIdInput) -> PaymentMethodRemovePayload:
        return await resolve.remove(info.context, input.id)  # type: ignore[return-value]
