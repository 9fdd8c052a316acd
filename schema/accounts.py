"""The viewer, accounts, locations, members and their roles."""
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db import models
from db.enums import AccountKind, AddressKind, Role, StaffRole
from domain import billing_details
from domain.money import Money as MoneyData
from permissions.checks import guarded
from resolvers import accounts as resolve
from resolvers import invitations as resolve_invitations
from resolvers import oauth_clients as resolve_clients
from resolvers import notifications as resolve_notifications
from resolvers import profile as resolve_profile
from resolvers import security as resolve_security
from resolvers.billing import invoice_totals as invoice_due_totals
from resolvers.billing import credit_notes as credit_note_search
from resolvers.billing import payments as payment_search
from resolvers.billing import invoices as invoice_search
from resolvers.billing import statement as account_statement
from resolvers.billing import statement_period
from resolvers.catalog import catalog as location_catalog
from resolvers.connections import Window
from resolvers.orders import order_history
from resolvers.subscriptions import subscriptions as subscription_search
from schema.relations import relation
from db.repositories.billing import CreditNoteFilter, InvoiceSort
from schema.billing import (CreditNoteConnection, PaymentConnection, PaymentFilter, InvoiceConnection, InvoiceFilter, InvoiceSortKey, InvoiceTotals,
                            SortDirection, Statement, invoice_filter, statement_of)
from schema.billing_details import BillingDetails
from schema.catalog import ProductConnection, ProductFilter
from schema.common import Connection, MailingAddress, Money, Node, node_id, rows_of
from schema.orders import OrderConnection, OrderFilter, order_filter
from schema.subscriptions import SubscriptionConnection, SubscriptionFilter, subscription_filter

if TYPE_CHECKING:
    from schema.carts import Cart
    from schema.payments import PaymentMethod
    from schema.ordering import OrderingSettings
    from schema.quotes import Quote, QuoteStatusEnum

AccountKindEnum = strawberry.enum(AccountKind, name="AccountKind")
RoleEnum = strawberry.enum(Role, name="Role")
StaffRoleEnum = strawberry.enum(StaffRole, name="StaffRole")
AddressKindEnum = strawberry.enum(AddressKind, name="AddressKind")


@strawberry.type(description="A person, as colleagues see them.")
class Person:
    name: str
    email: str


@strawberry.type
class Address(MailingAddress):
    id: strawberry.ID = node_id("Address")
    kind: AddressKindEnum  # type: ignore[valid-type]
    is_default: bool


@strawberry.type
class Location(Node):
    id: strawberry.ID = node_id("Location")
    is_type_of = rows_of(models.Location)
    name: str

    account = relation("Account", "accounts.account", "account_id")

    @strawberry.field(description="The default billing address.")
    async def billing_address(self, info: Info) -> Address | None:
        found = await info.context.loaders.accounts.addresses.load(self.id)
        return next((a for a in found if a.kind is AddressKind.BILLING), None)  # the default comes first

    @strawberry.field(description="Billing addresses, the default first.")
    async def billing_addresses(self, info: Info) -> list[Address]:
        return [a for a in await info.context.loaders.accounts.addresses.load(self.id) if a.kind is AddressKind.BILLING]

    @strawberry.field(description="Shipping addresses, the default first.")
    async def shipping_addresses(self, info: Info) -> list[Address]:
        return [a for a in await info.context.loaders.accounts.addresses.load(self.id) if a.kind is AddressKind.SHIPPING]

    @strawberry.field(description="Orders of this location, newest first.")
    async def orders(self, info: Info, filter: OrderFilter | None = None, first: int | None = None,
                     after: str | None = None, last: int | None = None, before: str | None = None) -> OrderConnection:
        return await order_history(info.context, order_filter(filter, location_ids=(self.id,)),  # type: ignore[return-value]
                                   Window(first, after, last, before))

    @strawberry.field(description="Subscriptions of this location, newest first.")
    async def subscriptions(self, info: Info, filter: SubscriptionFilter | None = None, first: int | None = None,
                            after: str | None = None, last: int | None = None,
                            before: str | None = None) -> SubscriptionConnection:
        return await subscription_search(info.context, subscription_filter(filter, location_ids=(self.id,)),  # type: ignore[return-value]
                                         Window(first, after, last, before))

    @strawberry.field(description="Open carts of this location (for its buyers and ADMIN), latest changed first.")
    async def carts(self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None,
                    before: str | None = None) -> Connection[Annotated["Cart", strawberry.lazy("schema.carts")]]:
        from resolvers.carts import location_carts  # noqa: PLC0415
        return await location_carts(info.context, self, Window(first, after, last, before))  # type: ignore[return-value]

    @strawberry.field(description="The catalog as this location sees it: prices are its contracted prices.")
    async def catalog(self, info: Info, filter: ProductFilter | None = None, first: int | None = None,
                      after: str | None = None, last: int | None = None,
                      before: str | None = None) -> ProductConnection:
        return await location_catalog(info.context, self, (filter or ProductFilter()).to_data(),  # type: ignore[arg-type,return-value]
                                      Window(first, after, last, before))


@strawberry.type(description="One role of a member: account-wide, or at the listed locations.")
class RoleGrant:
    role: RoleEnum  # type: ignore[valid-type]
    account_wide: bool = strawberry.field(resolver=lambda root: root.location_id is None)

    location = relation("Location | None", "accounts.location", "location_id")


@strawberry.type
class Membership(Node):
    id: strawberry.ID = node_id("Membership")
    is_type_of = rows_of(models.Membership)
    created_at: datetime

    user = relation("Person", "accounts.user", "user_id")
    account = relation("Account", "accounts.account", "account_id")
    roles = relation("list[RoleGrant]", "accounts.roles")

    @guarded("Membership.customFields", description="The member's custom profile fields (the merchant's).")
    async def custom_fields(self, info: Info) -> list[Annotated["ProfileFieldValue", strawberry.lazy("schema.profile")]] | None:  # noqa: F821
        from schema.profile import field_values  # noqa: PLC0415
        user = await info.context.loaders.accounts.user.load(self.user_id)  # type: ignore[attr-defined]
        return field_values(await resolve_profile.profile_values(info.context, user.profile_values))  # type: ignore[return-value]

    @guarded("Membership.spendingLimit", description="Orders above this wait for approval; null means no limit.")
    async def spending_limit(self, info: Info) -> Money | None:
        if self.spending_limit is None:  # type: ignore[attr-defined]
            return None
        account = await info.context.loaders.accounts.account.load(self.account_id)  # type: ignore[attr-defined]
        return MoneyData(self.spending_limit, account.currency)  # type: ignore[attr-defined,return-value]


@strawberry.type
class Account(Node):
    id: strawberry.ID = node_id("Account")
    is_type_of = rows_of(models.Account)
    name: str
    kind: AccountKindEnum  # type: ignore[valid-type]
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    locale: str
    requires_approval: bool
    card_required: bool = strawberry.field(description="Orders are paid by card when placed (also every account "
                                           "without payment terms).")

    @guarded("Account.paymentTermsDays", description="Net payment terms in days (0: due on receipt).")
    def payment_terms_days(self) -> int | None:
        return self.payment_terms_days

    @guarded("Account.creditLimit")
    def credit_limit(self) -> Money | None:
        return None if self.credit_limit is None else MoneyData(self.credit_limit, self.currency)  # type: ignore[attr-defined,return-value]

    @guarded("Account.balance", description="Unpaid amount of open invoices.")
    async def balance(self, info: Info) -> Money | None:
        return MoneyData(await info.context.loaders.billing.balance.load(self.id), self.currency)  # type: ignore[attr-defined,return-value]

    credit_balance = relation(
        "list[Money] | None", "billing.credit_balances",
        shape=lambda found, _account: [MoneyData(amount, currency) for currency, amount in found],
        field=guarded("Account.creditBalance", description="Credit from credit notes not used yet, per currency "
                                                             "(applied to invoices before they are paid)."))

    @guarded("Account.billingDetails")
    def billing_details(self) -> BillingDetails | None:
        return billing_details.of_account(self)  # type: ignore[arg-type,return-value]

    @strawberry.field(description="Spending limit period and approval rules of the account's orders.")
    async def ordering_settings(self, info: Info) -> Annotated["OrderingSettings", strawberry.lazy("schema.ordering")]:
        from resolvers.ordering import ordering_settings  # noqa: PLC0415
        return await ordering_settings(info.context, self)  # type: ignore[return-value]

    payment_methods = relation(
        list[Annotated["PaymentMethod", strawberry.lazy("schema.payments")]] | None, "payments.methods",
        field=guarded("Account.paymentMethods", description="Saved payment methods, the default first, then the "
                                                            "newest."))
    locations = relation(
        "list[Location]", "accounts.locations",
        description="The locations the caller has a role at (all of them for account-wide roles).")
    members = relation(
        "list[Membership]", "accounts.members",
        description="Members of the account; a member who is not ADMIN sees only itself.")

    @strawberry.field(description="Orders of the account the caller may see, newest first.")
    async def orders(self, info: Info, filter: OrderFilter | None = None, first: int | None = None,
                     after: str | None = None, last: int | None = None, before: str | None = None) -> OrderConnection:
        return await order_history(info.context, order_filter(filter, account_ids=(self.id,)),  # type: ignore[return-value]
                                   Window(first, after, last, before))

    @strawberry.field
    async def subscriptions(self, info: Info, filter: SubscriptionFilter | None = None, first: int | None = None,
                            after: str | None = None, last: int | None = None,
                            before: str | None = None) -> SubscriptionConnection:
        return await subscription_search(info.context, subscription_filter(filter, account_ids=(self.id,)),  # type: ignore[return-value]
                                         Window(first, after, last, before))

    @guarded("Account.invoices", description="Invoices, newest first unless sorted otherwise.")
    async def invoices(self, info: Info, filter: InvoiceFilter | None = None,
                       sort_by: InvoiceSortKey = InvoiceSort.ISSUED_AT,  # type: ignore[valid-type]
                       direction: SortDirection = SortDirection.DESC, first: int | None = None,
                       after: str | None = None, last: int | None = None,
                       before: str | None = None) -> InvoiceConnection | None:
        today: date = info.context.now.date()
        return await invoice_search(info.context, invoice_filter(filter, today, sort_by, direction,  # type: ignore[return-value]
                                                                 account_ids=(self.id,)),
                                    Window(first, after, last, before))

    invoice_totals = relation(
        list[InvoiceTotals] | None, "billing.due_totals",
        field=guarded("Account.invoiceTotals", description="What the account's open invoices owe, and the part past "
                                                           "due, per currency."))

    @guarded("Account.statement", description="Statement of account for the days from `from` to `to` (UTC, both "
                                              "included), in `currency` (the account's by default).")
    async def statement(self, info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date,
                        currency: str | None = None) -> Statement | None:
        span = statement_period(from_, to)
        return statement_of(await account_statement(info.context, self, span, currency))  # type: ignore[arg-type]
    @guarded("Account.creditNotes", description="Credit notes, newest first.")
    async def credit_notes(self, info: Info, first: int | None = None, after: str | None = None,
                           last: int | None = None, before: str | None = None) -> CreditNoteConnection | None:
        return await credit_note_search(info.context, CreditNoteFilter(account_ids=(self.id,)),  # type: ignore[return-value,attr-defined]
                                        Window(first, after, last, before))

    @guarded("Account.payments", description="Payments, newest first: successful and failed (with the gateway's "
                                             "decline code), a row per invoice paid.")
    async def payments(self, info: Info, filter: PaymentFilter | None = None, first: int | None = None,
                       after: str | None = None, last: int | None = None,
                       before: str | None = None) -> PaymentConnection | None:
        return await payment_search(info.context, (filter or PaymentFilter()).to_data(self.id),  # type: ignore[return-value,attr-defined]
                                    Window(first, after, last, before))

    @guarded("Account.invitations", description="Pending invitations, newest first.")
    async def invitations(self, info: Info) -> list[Annotated["Invitation", strawberry.lazy("schema.invitations")]] | None:  # noqa: F821
        return await resolve_invitations.pending_of(info.context, self.id)  # type: ignore[arg-type]

    @guarded("Account.oauthClients", description="Integration clients (OAuth), newest first.")
    async def oauth_clients(self, info: Info) -> list[Annotated["OAuthClient", strawberry.lazy("schema.oauth_clients")]] | None:  # noqa: F821
        return await resolve_clients.clients_of(info.context, self.id)  # type: ignore[arg-type]


AccountConnection = Connection[Account]


@strawberry.type(description="Who may run a mutation or read a guarded field (docs/permissions.md). A role "
                               "limited to locations grants it for those locations' rows only.")
class AccessRule:
    name: str = strawberry.field(description="`Mutation.orderPlace`, `Account.invoices`, ...")
    roles: list[RoleEnum]  # type: ignore[valid-type]
    owner: bool = strawberry.field(description="The member a row belongs to may too.")


def access_rules() -> list[AccessRule]:
    return [AccessRule(name=name, roles=sorted(rule.roles, key=list(Role).index), owner=rule.owner)
            for name, rule in resolve.access_rules()]


@strawberry.type(description="The signed-in caller.")
class Viewer:
    name: str
    email: str
    staff_role: StaffRoleEnum | None  # type: ignore[valid-type]
    phone: str | None
    locale: str | None = strawberry.field(description="The language the viewer chose (its emails, documents and the "
                                                      "portal); null: its account's.")
    time_zone: str | None = strawberry.field(description="An IANA time zone name.")

    @strawberry.field(description="The merchant's custom profile fields with the viewer's values.")
    async def custom_fields(self, info: Info) -> list[Annotated["ProfileFieldValue", strawberry.lazy("schema.profile")]]:  # noqa: F821
        from schema.profile import field_values  # noqa: PLC0415
        return field_values(await resolve_profile.profile_values(info.context, self.profile_values))  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The viewer's own address book, the defaults first.")
    async def addresses(self, info: Info) -> list[Annotated["UserAddress", strawberry.lazy("schema.profile")]]:  # noqa: F821
        return await resolve_profile.address_book(info.context, self.id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The viewer's signed-in sessions, most recently used first.")
    async def sessions(self, info: Info) -> list[Annotated["Session", strawberry.lazy("schema.security")]]:  # noqa: F821
        return await resolve_security.my_sessions(info.context)  # type: ignore[return-value]

    @strawberry.field(description="Which emails the viewer receives, per category (its own; legal and security "
                                  "mail is always sent).")
    async def notification_preferences(self, info: Info) -> list[Annotated["NotificationPreference", strawberry.lazy("schema.notifications")]]:  # noqa: F821
        return await resolve_notifications.my_preferences(info.context)  # type: ignore[return-value]

    @strawberry.field(description="Whether signing in needs a second factor (TOTP).")
    async def two_factor_enabled(self, info: Info) -> bool:
        return await resolve_security.two_factor_enabled(info.context)

    @strawberry.field(description="The caller's memberships, one per account it belongs to.")
    async def memberships(self, info: Info) -> list[Membership]:
        return await resolve.viewer_memberships(info.context)

    @strawberry.field(description="Accounts the caller can act for.")
    async def accounts(self, info: Info) -> list[Account]:
        return await resolve.viewer_accounts(info.context)

    @strawberry.field(description="Locations the caller can act for, over all its accounts.")
    async def locations(self, info: Info) -> list[Location]:
        return await resolve.viewer_locations(info.context)

    @strawberry.field(description="Every order the caller may see, over all its accounts, newest first.")
    async def orders(self, info: Info, filter: OrderFilter | None = None, first: int | None = None,
                     after: str | None = None, last: int | None = None, before: str | None = None) -> OrderConnection:
        return await order_history(info.context, order_filter(filter), Window(first, after, last, before))  # type: ignore[return-value]

    @strawberry.field(description="Every subscription the caller may see, newest first.")
    async def subscriptions(self, info: Info, filter: SubscriptionFilter | None = None, first: int | None = None,
                            after: str | None = None, last: int | None = None,
                            before: str | None = None) -> SubscriptionConnection:
        return await subscription_search(info.context, subscription_filter(filter),  # type: ignore[return-value]
                                         Window(first, after, last, before))

    @strawberry.field(description="Orders waiting for the caller's approval: at its locations, not placed by "
                                  "itself (APPROVER and ADMIN), newest first.")
    async def approval_queue(self, info: Info, first: int | None = None, after: str | None = None,
                             last: int | None = None, before: str | None = None) -> OrderConnection:
        from resolvers.ordering import approval_queue  # noqa: PLC0415
        return await approval_queue(info.context, Window(first, after, last, before))  # type: ignore[return-value]

    @strawberry.field(description="Quotes the caller may see (its own; all of the account for ADMIN; all for "
                                  "staff), newest first.")
    async def quotes(self, info: Info,
                     status: list[Annotated["QuoteStatusEnum", strawberry.lazy("schema.quotes")]] | None = None,
                     first: int | None = None, after: str | None = None, last: int | None = None,
                     before: str | None = None) -> Connection[Annotated["Quote", strawberry.lazy("schema.quotes")]]:
        from resolvers.quotes import quotes  # noqa: PLC0415
        return await quotes(info.context, status or (), Window(first, after, last, before))  # type: ignore[arg-type,return-value]

    @strawberry.field(description="Every invoice the caller may see (ADMIN and ACCOUNTS_PAYABLE), newest first "
                                  "unless sorted otherwise.")
    async def invoices(self, info: Info, filter: InvoiceFilter | None = None,
                       sort_by: InvoiceSortKey = InvoiceSort.ISSUED_AT,  # type: ignore[valid-type]
                       direction: SortDirection = SortDirection.DESC, first: int | None = None,
                       after: str | None = None, last: int | None = None,
                       before: str | None = None) -> InvoiceConnection:
        return await invoice_search(info.context, invoice_filter(filter, info.context.now.date(), sort_by,  # type: ignore[return-value]
                                                                 direction),
                                    Window(first, after, last, before))

    @strawberry.field(description="What the open invoices among those the caller may see (and the filter finds) "
                                  "owe, and the part past due, per currency.")
    async def invoice_totals(self, info: Info, filter: InvoiceFilter | None = None) -> list[InvoiceTotals]:
        return await invoice_due_totals(info.context, invoice_filter(filter, info.context.now.date()))  # type: ignore[return-value]
