"""The policy table: who may read which rows and fields, and who may run which mutation.

One table of data, written one dict per domain and joined in POLICY. It is read by the permission
classes (permissions/checks.py), the row scopes that repositories turn into SQL
(permissions/caller.py), docs/permissions.md (permissions/docs.py), and the tests that walk every
role over every entry."""
from dataclasses import dataclass, field

from db.enums import Role, StaffRole

ADMIN, BUYER, APPROVER, AP, VIEWER = (Role.ADMIN, Role.BUYER, Role.APPROVER,
                                      Role.ACCOUNTS_PAYABLE, Role.VIEWER)
ALL_ROLES = frozenset(Role)
ALL_STAFF = frozenset(StaffRole)
STAFF_ADMIN = frozenset({StaffRole.STAFF_ADMIN})


@dataclass(frozen=True)
class Rule:
    """Roles that grant access. A role limited to locations grants it for rows and fields of
    those locations only; account-level things need the role account-wide."""

    roles: frozenset[Role]
    description: str
    staff: frozenset[StaffRole] = ALL_STAFF
    # The user a row belongs to (who placed the order, whose membership) may read it too.
    owner: bool = False
    # The OAuth scope an integration client needs (integrations act for one account).
    oauth_scope: str | None = None
    # Anyone, signed in or not (sign-in itself).
    public: bool = False
    kind: str = field(default="field")


def rows(roles: frozenset[Role] | set[Role], description: str, **kw: object) -> Rule:
    return Rule(frozenset(roles), description, kind="rows", **kw)  # type: ignore[arg-type]


def fld(roles: frozenset[Role] | set[Role], description: str, **kw: object) -> Rule:
    return Rule(frozenset(roles), description, kind="field", **kw)  # type: ignore[arg-type]


def mutation(roles: frozenset[Role] | set[Role], description: str, **kw: object) -> Rule:
    return Rule(frozenset(roles), description, kind="mutation", **kw)  # type: ignore[arg-type]


# Every integration client reads its own account and locations, whatever scopes it was given:
# without them a client granted orders:read could not reach a single order.
IMPLIED_SCOPES = frozenset({"account:read"})

FINANCE = frozenset({ADMIN, AP})
PRICE_READERS = frozenset({ADMIN, BUYER, APPROVER, AP})

_FINANCIAL = fld(FINANCE, "Financial terms of the account", oauth_scope="invoices:read")
_PRICES = fld(PRICE_READERS, "Prices and amounts (hidden from VIEWER)", oauth_scope="orders:read")
_CATALOG_PRICES = fld(PRICE_READERS, "Contracted and list prices (hidden from VIEWER)",
                      oauth_scope="catalog:read")
_SUBSCRIPTION_PRICES = fld(PRICE_READERS, "Subscription prices (hidden from VIEWER)",
                           oauth_scope="subscriptions:read")

NO_STAFF: frozenset[StaffRole] = frozenset()
ORDERERS = frozenset({ADMIN, BUYER})
APPROVERS = frozenset({ADMIN, APPROVER})


def _orders_write(description: str, roles: frozenset[Role] = ORDERERS) -> Rule:
    return mutation(roles, description, staff=NO_STAFF, oauth_scope="orders:write")


def _staff_admin(description: str) -> Rule:
    """A back-office change: merchant staff with STAFF_ADMIN only."""
    return mutation(frozenset(), description, staff=STAFF_ADMIN)


_LISTS_WRITE = mutation(ORDERERS, "Change the account's requisition lists (a role at any location of the account "
                        "will do)", staff=NO_STAFF, oauth_scope="orders:write")

# The policy by domain. In each: "rows:X", which objects of a kind each caller sees (repositories
# scope their SQL with these); "Type.field", fields not every reader of the row may see (null with
# FORBIDDEN); "Mutation.x", who may run a mutation (checked before it runs).

# Accounts, their locations and members.
ACCOUNTS: dict[str, Rule] = {
    "rows:Account": rows(ALL_ROLES, "Accounts the caller is a member of", oauth_scope="account:read"),
    "rows:Location": rows(ALL_ROLES, "Locations the caller has a role at (all, when account-wide)",
                          oauth_scope="account:read"),
    "rows:Membership": rows({ADMIN}, "Members of the account; every member sees its own membership",
                            owner=True, oauth_scope="members:read"),
    "Account.creditLimit": _FINANCIAL,
    "Account.balance": _FINANCIAL,
    "Account.paymentTermsDays": _FINANCIAL,
    "Account.billingDetails": _FINANCIAL,
    "Membership.spendingLimit": fld({ADMIN}, "A buyer's spending limit: account admins and the member itself",
                                    owner=True, oauth_scope="members:read"),
    "Membership.customFields": fld(frozenset(), "The member's custom profile fields: merchant staff and the member "
                                   "itself", owner=True),
    "Mutation.locationAddressSave": mutation({ADMIN}, "Add or change a location's shipping or billing address",
                                             staff=NO_STAFF),
    "Mutation.locationAddressDelete": mutation({ADMIN}, "Delete a location's address", staff=NO_STAFF),
    "Mutation.profileFieldSave": _staff_admin("Add or change a custom profile field"),
    "Mutation.profileFieldDelete": _staff_admin("Delete a custom profile field"),
    "Mutation.accountCreate": _staff_admin("Add a customer account"),
    "Mutation.accountUpdate": _staff_admin("Change a customer account's terms and details"),
    "Mutation.locationCreate": _staff_admin("Add a location with its addresses to an account"),
    "Mutation.locationUpdate": _staff_admin("Change a location and its addresses"),
}

# Identity and access: sign-in, sessions, second factor, invitations, integration clients, audit log.
IDENTITY: dict[str, Rule] = {
    "rows:Invitation": rows({ADMIN}, "Pending invitations of the account", staff=STAFF_ADMIN),
    "rows:OAuthClient": rows({ADMIN}, "Integration clients (OAuth) of the account", staff=STAFF_ADMIN),
    "rows:AuditEvent": rows({ADMIN}, "Audit log of the account; staff read all of it, sign-ins included"),
    "Account.invitations": fld({ADMIN}, "Pending invitations", staff=STAFF_ADMIN),
    "Account.oauthClients": fld({ADMIN}, "Integration clients", staff=STAFF_ADMIN),
    "Mutation.signIn": mutation(frozenset(), "Anyone may try to sign in (rate limited)", public=True),
    **{f"Mutation.{name}": mutation(frozenset(), "Anyone (rate limited; the answer never says whether an "
                                                  "email has an account)", public=True)
       for name in ("signUp", "passwordResetRequest", "magicLinkRequest")},
    **{f"Mutation.{name}": mutation(frozenset(), "Anyone holding the emailed token or code, or the sign-in "
                                                  "challenge (rate limited)", public=True)
       for name in ("emailVerify", "passwordReset", "magicLinkSignIn", "signInTwoFactor", "invitationAccept")},
    **{f"Mutation.{name}": mutation(ALL_ROLES, "A signed-in person, for its own sessions and second factor "
                                               "(not integrations)", owner=True)
       for name in ("signOut", "sessionRevoke", "sessionRevokeAll", "twoFactorEnroll", "twoFactorConfirm",
                    "twoFactorDisable", "twoFactorRecoveryCodesRegenerate")},
    "Mutation.notificationPreferencesUpdate": mutation(ALL_ROLES, "A signed-in person, for its own notification "
                                                               "preferences (not integrations)", owner=True),
    **{f"Mutation.{name}": mutation(ALL_ROLES, "A signed-in person, for its own profile, email address and address "
                                               "book (not integrations, nor sessions the merchant's backend made)",
                                    owner=True)
       for name in ("viewerUpdate", "emailChangeRequest", "viewerAddressSave", "viewerAddressDelete")},
    **{f"Mutation.{name}": mutation(frozenset(), "Anyone holding the link mailed to the new (confirm) or the old "
                                                  "(undo) address (rate limited)", public=True)
       for name in ("emailChangeConfirm", "emailChangeUndo")},
    "Mutation.invitationCreate": mutation({ADMIN}, "Invite a person to the account with roles", staff=STAFF_ADMIN),
    "Mutation.invitationRevoke": mutation({ADMIN}, "Withdraw a pending invitation", staff=STAFF_ADMIN),
    "Mutation.membershipRolesSet": mutation({ADMIN}, "Change a member's roles (the last ADMIN stays)",
                                            staff=STAFF_ADMIN),
    "Mutation.membershipSpendingLimitSet": mutation({ADMIN}, "Set or clear a member's spending limit",
                                                    staff=STAFF_ADMIN),
    "Mutation.oauthClientCreate": mutation({ADMIN}, "Register an integration client with scopes",
                                           staff=STAFF_ADMIN),
    "Mutation.oauthClientRevoke": mutation({ADMIN}, "Revoke an integration client", staff=STAFF_ADMIN),
}

# The catalog and contracted prices.
CATALOG: dict[str, Rule] = {
    "rows:Catalog": rows(ALL_ROLES, "The catalog as seen from a location", oauth_scope="catalog:read"),
    "rows:PriceList": rows(frozenset(), "Price lists as staff manage them (customers see their prices in the catalog)"),
    "ProductVariant.listPrice": _CATALOG_PRICES,
    "ProductVariant.price": _CATALOG_PRICES,
    "Mutation.productCreate": _staff_admin("Add a product to the catalog"),
    "Mutation.productUpdate": _staff_admin("Change or deactivate a product"),
    "Mutation.variantCreate": _staff_admin("Add a variant to a product"),
    "Mutation.variantUpdate": _staff_admin("Change or deactivate a variant"),
    "Mutation.priceListCreate": _staff_admin("Contract prices and quantity rules with an account or location"),
    "Mutation.priceListUpdate": _staff_admin("Change a price list, its entries and quantity rules"),
    "Mutation.priceListDelete": _staff_admin("Remove a price list"),
}

# Ordering: carts, placing, approvals, changes, quotes.
ORDERING: dict[str, Rule] = {
    "rows:Order": rows(ALL_ROLES, "Orders of the caller's locations; a member also sees the orders it placed",
                       owner=True, oauth_scope="orders:read"),
    "rows:Cart": rows(ORDERERS, "Carts of the locations where the caller is a buyer", oauth_scope="orders:write"),
    "rows:ApprovalQueue": rows(APPROVERS, "Orders waiting for approval at the caller's locations",
                               oauth_scope="orders:read"),
    "rows:Quote": rows({ADMIN}, "Quotes of the account; a buyer sees the quotes it requested", owner=True,
                       oauth_scope="orders:read"),
    "Order.subtotal": _PRICES,
    "Order.tax": _PRICES,
    "Order.total": _PRICES,
    "OrderLine.unitPrice": _PRICES,
    "OrderLine.total": _PRICES,
    "OrderLine.tax": _PRICES,
    "Mutation.cartCreate": _orders_write("Start a cart for a location"),
    "Mutation.cartUpdate": _orders_write("Change a cart's name, PO number, note or shipping address"),
    "Mutation.cartLinesAdd": _orders_write("Add lines to a cart at the contracted prices"),
    "Mutation.cartLinesUpdate": _orders_write("Change quantities in a cart"),
    "Mutation.cartLinesRemove": _orders_write("Remove lines from a cart"),
    "Mutation.cartPricesRefresh": _orders_write("Accept today's prices for a cart's lines"),
    "Mutation.cartDelete": _orders_write("Delete an open cart"),
    "Mutation.cartQuickOrder": _orders_write("Add SKU and quantity pairs (or a CSV) to a cart"),
    "Mutation.requisitionListAddToCart": _orders_write("Add a requisition list's items to a cart"),
    "Mutation.orderPlace": _orders_write("Place an order for a location"),
    "Mutation.orderReorder": _orders_write("Make a cart from a past order"),
    "Mutation.orderUpdate": _orders_write("Change quantities of an order not yet shipped"),
    "Mutation.orderCancel": _orders_write("Cancel an order, or what of it has not shipped"),
    "Mutation.orderApprove": _orders_write("Approve an order waiting for approval (not one's own)", APPROVERS),
    "Mutation.orderReject": _orders_write("Reject an order waiting for approval (not one's own)", APPROVERS),
    "Mutation.quoteRequest": _orders_write("Ask the merchant for a quote"),
    "Mutation.quoteAccept": mutation({ADMIN}, "Accept a quote: an order at its prices (the buyer who asked, "
                                     "or ADMIN)", owner=True, staff=NO_STAFF, oauth_scope="orders:write"),
    "Mutation.quoteDecline": mutation({ADMIN}, "Decline a quote (the buyer who asked, or ADMIN)", owner=True,
                                      staff=NO_STAFF, oauth_scope="orders:write"),
    "Mutation.quoteRespond": mutation(frozenset(), "Merchant staff answer a quote with prices and an expiry",
                                      staff=STAFF_ADMIN),
    "Mutation.accountOrderingSettingsUpdate": mutation({ADMIN}, "Spending limit period and second approval "
                                                       "threshold of the account", staff=STAFF_ADMIN,
                                                       oauth_scope="account:write"),
}

# Requisition lists: saved lists of variants and quantities, shared within an account.
REQUISITION_LISTS: dict[str, Rule] = {
    "rows:RequisitionList": rows(ALL_ROLES, "Requisition lists of the accounts the caller has any role in",
                                 oauth_scope="orders:read"),
    "Mutation.requisitionListCreate": _LISTS_WRITE,
    "Mutation.requisitionListUpdate": _LISTS_WRITE,
    "Mutation.requisitionListDelete": _LISTS_WRITE,
}

# Fulfilment: shipments of order lines and their carrier events.
FULFILMENT: dict[str, Rule] = {
    "rows:Fulfilment": rows(ALL_ROLES, "Fulfilments and shipment events of the orders the caller sees",
                            owner=True, oauth_scope="orders:read"),
    "Mutation.fulfilmentCreate": _staff_admin("Record a shipment of order lines"),
    "Mutation.fulfilmentEventAdd": _staff_admin("Record a carrier status change of a shipment"),
}

# Returns of shipped lines, and refunds.
RETURNS: dict[str, Rule] = {
    "rows:Return": rows(ALL_ROLES, "Returns of the caller's locations; a member also sees the returns it requested",
                        owner=True, oauth_scope="orders:read"),
    "Order.refunded": _PRICES,
    "Refund.amount": _PRICES,
    "Mutation.returnRequest": mutation({ADMIN, BUYER}, "Request a return of shipped lines of the location's orders",
                                       staff=NO_STAFF, oauth_scope="orders:write"),
    "Mutation.returnApprove": _staff_admin("Approve a requested return"),
    "Mutation.returnDecline": _staff_admin("Decline a requested return"),
    "Mutation.returnReceive": _staff_admin("Record that returned goods arrived"),
    "Mutation.returnRefund": _staff_admin("Refund a received return on its order"),
}

# Shared documents, purchase-order files, digital products and license keys (domain/account_files,
# digital, licenses). A shared document is seen by the roles named on it as well (ADMIN and
# ACCOUNTS_PAYABLE unless set), held anywhere in its account.
FILES: dict[str, Rule] = {
    "rows:SharedDocument": rows(ALL_ROLES, "Contracts and agreements the merchant shared with the account, for the "
                                "roles named on each (ADMIN and ACCOUNTS_PAYABLE unless set)"),
    "rows:DigitalPurchase": rows(ORDERERS, "Digital purchases (files to download) of the caller's locations; a "
                                 "member also sees its own", owner=True, oauth_scope="orders:read"),
    "rows:LicenseKey": rows({ADMIN, BUYER, APPROVER}, "License keys of the caller's locations (of the account's "
                            "subscriptions: account-wide roles); a member also sees its own", owner=True,
                            oauth_scope="orders:read"),
    "LicenseKey.key": fld(ORDERERS, "The license key itself (others see its last characters)", owner=True,
                          staff=STAFF_ADMIN, oauth_scope="orders:read"),
    "Mutation.documentShare": _staff_admin("Share a contract or agreement (a file) with an account"),
    "Mutation.documentUnshare": _staff_admin("Stop sharing a document with its account"),
    "Mutation.purchaseOrderFileAdd": _orders_write("Attach a purchase-order file to an order of the caller's "
                                                   "locations"),
    "Mutation.digitalProductSetUp": _staff_admin("Make a variant digital: download limit, license key and its "
                                                 "activations"),
    "Mutation.digitalFileAdd": _staff_admin("Add a file to a digital variant"),
    "Mutation.licenseKeyDisable": _staff_admin("Disable a license key (its software stops validating)"),
    "Mutation.licenseKeyEnable": _staff_admin("Enable a disabled license key again"),
}

# Invoices, their payments and credit notes, and account credit.
INVOICING: dict[str, Rule] = {
    "rows:Invoice": rows(FINANCE, "Invoices and payments (customers see finalised ones; staff drafts too)",
                         oauth_scope="invoices:read"),
    "rows:CreditNote": rows(FINANCE, "Credit notes against the account's invoices", oauth_scope="invoices:read"),
    "Account.invoices": fld(FINANCE, "Invoices of the account", oauth_scope="invoices:read"),
    "Account.invoiceTotals": fld(FINANCE, "What the account's open invoices owe, per currency",
                                 oauth_scope="invoices:read"),
    "Account.statement": fld(FINANCE, "Statements of account (also as CSV)", oauth_scope="invoices:read"),
    "Account.payments": fld(FINANCE, "Payments of the account (failed ones with the decline code)",
                            oauth_scope="invoices:read"),
    "Account.creditNotes": fld(FINANCE, "Credit notes of the account", oauth_scope="invoices:read"),
    "Account.creditBalance": fld(FINANCE, "The account's credit balance per currency", oauth_scope="invoices:read"),
    "Order.invoices": fld(FINANCE, "Invoices issued for an order", oauth_scope="invoices:read"),
    "Mutation.billingDetailsUpdate": mutation(FINANCE, "Change the account's billing details (country, region, "
                                              "postal code, business name, tax ID)", staff=NO_STAFF,
                                              oauth_scope="invoices:write"),
    "Mutation.invoiceReissue": mutation(FINANCE, "Reissue an invoice once with the account's current billing details",
                                        staff=NO_STAFF, oauth_scope="invoices:write"),
    "Mutation.staffInvoiceFinalize": _staff_admin("Finalise a draft invoice (it is numbered now)"),
    "Mutation.staffInvoiceVoid": _staff_admin("Void an invoice with nothing paid or credited"),
    "Mutation.staffInvoiceMarkUncollectible": _staff_admin("Mark an open invoice uncollectible"),
    "Mutation.staffCreditNoteCreate": _staff_admin("Issue a credit note against an invoice"),
}

# Tax: the merchant's rates.
TAX: dict[str, Rule] = {
    "rows:TaxRate": rows(frozenset(), "The merchant's tax rates (staff read them)"),
    "Mutation.taxRateSet": _staff_admin("Set a tax rate of a country or region"),
    "Mutation.taxRateDelete": _staff_admin("Remove a tax rate"),
}

SUBSCRIPTIONS: dict[str, Rule] = {
    "rows:Subscription": rows(ALL_ROLES, "Subscriptions of the caller's locations",
                              oauth_scope="subscriptions:read"),
    "SubscriptionItem.unitPrice": _SUBSCRIPTION_PRICES,
    "Subscription.total": _SUBSCRIPTION_PRICES,
    "Subscription.nextInvoiceAmount": _SUBSCRIPTION_PRICES,
    "Subscription.history": fld(PRICE_READERS, "The history of a subscription's changes (with amounts: hidden "
                                               "from VIEWER)", oauth_scope="subscriptions:read"),
    "Subscription.changePlanPreview": fld({ADMIN}, "What a plan change would invoice and charge, before it is made",
                                          staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionChangePlan": mutation({ADMIN}, "Change a subscription's plan or seats: an upgrade now, "
                                                "prorated and charged at once; a downgrade at the period end",
                                                staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.pausePreview": fld({ADMIN, BUYER}, "When a pause would resume billing, before it is made",
                                     staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionPause": mutation({ADMIN, BUYER}, "Pause a subscription until a date or for N cycles "
                                           "(BUYER: of the caller's locations)", staff=NO_STAFF,
                                           oauth_scope="subscriptions:write"),
    "Mutation.subscriptionResume": mutation({ADMIN, BUYER}, "Resume a paused subscription now", staff=NO_STAFF,
                                            oauth_scope="subscriptions:write"),
    "Subscription.skipPreview": fld({ADMIN, BUYER}, "When billing resumes after skipping renewals, before it is "
                                    "done", staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionSkip": mutation({ADMIN, BUYER}, "Skip a subscription's next renewals", staff=NO_STAFF,
                                          oauth_scope="subscriptions:write"),
    "Mutation.subscriptionUnskip": mutation({ADMIN, BUYER}, "Take a subscription's skipped renewals back",
                                            staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.changeCadencePreview": fld({ADMIN, BUYER}, "A recurring order's next date at another cadence, "
                                             "before it changes", staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionChangeCadence": mutation({ADMIN, BUYER}, "Change how often a recurring order comes",
                                                   staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.changeItemPreview": fld({ADMIN, BUYER}, "A recurring order's item swapped or its quantity "
                                          "changed, priced, before it changes", staff=NO_STAFF,
                                          oauth_scope="subscriptions:write"),
    "Mutation.subscriptionChangeItem": mutation({ADMIN, BUYER}, "Swap a recurring order's item or change its "
                                                "quantity", staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.cancelPreview": fld({ADMIN, BUYER}, "When a cancellation would take effect, before it is made",
                                      staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionCancel": mutation({ADMIN, BUYER}, "Cancel a subscription (a BUYER: a recurring order, "
                                            "unless the portal leaves it to ADMINs)", staff=NO_STAFF,
                                            oauth_scope="subscriptions:write"),
    "Mutation.subscriptionReactivate": mutation({ADMIN, BUYER}, "Take back a cancellation at the period end "
                                                "(as subscriptionCancel)", staff=NO_STAFF,
                                                oauth_scope="subscriptions:write"),
    "Mutation.subscriptionCancelPendingChange": mutation({ADMIN}, "Cancel a plan change scheduled for the period "
                                                         "end", staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.changeNextDatePreview": fld({ADMIN, BUYER}, "A recurring order's next date moved, before it "
                                              "moves", staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionChangeNextDate": mutation({ADMIN, BUYER}, "Move a recurring order's next date",
                                                    staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.addOnPreview": fld({ADMIN, BUYER}, "The line a one-time add-on adds to the next order, before "
                                     "it is added", staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionAddOn": mutation({ADMIN, BUYER}, "Add a product once to a recurring order's next order",
                                           staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.pendingAddOns": fld(PRICE_READERS, "One-time add-ons waiting for the next order, with their "
                                      "prices (hidden from VIEWER)", oauth_scope="subscriptions:read"),
    "Subscription.orderNowPreview": fld({ADMIN, BUYER}, "The invoice lines of a recurring order's next order "
                                        "placed now, before it is placed", staff=NO_STAFF,
                                        oauth_scope="subscriptions:write"),
    "Mutation.subscriptionOrderNow": mutation({ADMIN, BUYER}, "Place and bill a recurring order's next order now",
                                              staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Subscription.retentionOffer": fld({ADMIN, BUYER}, "The merchant's offer before cancelling (recorded as shown; "
                                       "as subscriptionCancel)", staff=NO_STAFF, oauth_scope="subscriptions:write"),
    "Mutation.subscriptionRespondToOffer": mutation({ADMIN, BUYER}, "Accept or decline the offer before "
                                                    "cancelling (as subscriptionCancel)", staff=NO_STAFF,
                                                    oauth_scope="subscriptions:write"),
    "Mutation.subscriptionPortalConfigure": _staff_admin("Set what the subscription portal offers customers (in "
                                                         "place of the environment's preset)"),
    "rows:SubscriptionCancellationReport": rows(frozenset(), "Cancellations by reason and month, and retention "
                                                "offers shown and accepted (merchant staff)"),
}

# Saved payment methods (cards through the payment gateway).
_PAYMENTS_WRITE = frozenset({ADMIN, AP})


def _payments_write(description: str) -> Rule:
    return mutation(_PAYMENTS_WRITE, description, staff=NO_STAFF, oauth_scope="payments:write")


PAYMENTS: dict[str, Rule] = {
    "rows:PaymentMethod": rows(FINANCE, "Saved payment methods of the account (brand, last four digits, expiry)",
                               oauth_scope="payments:write"),
    "Account.paymentMethods": fld(FINANCE, "Saved payment methods", oauth_scope="payments:write"),
    "Mutation.paymentMethodSetupStart": _payments_write("Start saving a card (a SetupIntent the customer confirms; "
                                                        "rate limited)"),
    "Mutation.paymentMethodAdd": _payments_write("Save a card from the gateway's token or a confirmed setup "
                                                 "(rate limited)"),
    "Mutation.paymentMethodSetDefault": _payments_write("Choose the account's default payment method"),
    "Mutation.paymentMethodUpdateExpiry": _payments_write("Change a saved card's expiry"),
    "Mutation.invoicePay": _payments_write("Pay open invoices with a saved card or account credit "
                                           "(idempotent: one charge per key)"),
    "Mutation.paymentMethodRemove": _payments_write("Remove a saved payment method (not the last one while a "
                                                    "subscription is charged automatically)"),
}

# Support tickets and the knowledge base.
_TICKETS = frozenset({ADMIN, BUYER})

SUPPORT: dict[str, Rule] = {
    "rows:SupportTicket": rows(_TICKETS, "Support tickets of the caller's locations (all of the account's for ADMIN); "
                               "a member also sees the tickets it opened; staff see all (the queue)", owner=True),
    "rows:KbArticle": rows(ALL_ROLES, "Knowledge base articles: published PUBLIC ones for anyone, SIGNED_IN ones for "
                           "signed-in customers, CUSTOMERS ones for accounts that bought the product or plan; "
                           "staff read drafts too"),
    "rows:KbDeflection": rows(frozenset(), "Deflections (an article answered the question): staff count them"),
    "Mutation.supportTicketCreate": mutation(_TICKETS, "Open a support ticket for a location (BUYER) or the account "
                                             "(ADMIN) (rate limited)", staff=NO_STAFF),
    "Mutation.supportTicketReply": mutation(_TICKETS, "Answer on a ticket the caller may see (rate limited)",
                                            owner=True, staff=NO_STAFF),
    "Mutation.supportTicketClose": mutation(_TICKETS, "Close a ticket the caller may see", owner=True,
                                            staff=NO_STAFF),
    "Mutation.supportTicketEscalate": mutation({ADMIN}, "Hand a ticket to the account team (customer ADMIN or staff)"),
    "Mutation.supportStaffReply": mutation(frozenset(), "Answer a ticket (the customer is emailed) or add an "
                                           "internal note"),
    "Mutation.supportTicketUpdate": mutation(frozenset(), "Set a ticket's status or priority"),
    "Mutation.supportDeflect": mutation(ALL_ROLES, "Record that an offered article answered the question "
                                        "(rate limited)", staff=NO_STAFF),
    "Mutation.kbArticleCreate": mutation(frozenset(), "Write a knowledge base article (a draft)"),
    "Mutation.kbArticleUpdate": mutation(frozenset(), "Change, publish or withdraw a knowledge base article"),
    "Mutation.kbTopicCreate": mutation(frozenset(), "Add a knowledge base topic"),
}

# Outgoing webhooks: STAFF_ADMIN for every endpoint; an account-wide ADMIN for its account's own
# (registering one only when the merchant allows it, PORTALQL_WEBHOOK_ACCOUNT_ENDPOINTS).
_WEBHOOKS_WRITE = frozenset({ADMIN})


def _webhooks(description: str) -> Rule:
    return mutation(_WEBHOOKS_WRITE, description, staff=STAFF_ADMIN)


WEBHOOKS: dict[str, Rule] = {
    "rows:WebhookEndpoint": rows(_WEBHOOKS_WRITE, "Webhook endpoints, their deliveries and attempts (an ADMIN: its "
                                 "account's own endpoints)", staff=STAFF_ADMIN),
    "Mutation.webhookEndpointCreate": _webhooks("Register a webhook endpoint (an ADMIN: for its account's events, "
                                                "if the merchant allows it)"),
    "Mutation.webhookEndpointUpdate": _webhooks("Change an endpoint's URL, event types or description; enable or "
                                                "disable it"),
    "Mutation.webhookEndpointRotateSecret": _webhooks("Rotate an endpoint's signing secret (the old one signs too "
                                                      "for 24 hours)"),
    "Mutation.webhookDeliveryReplay": _webhooks("Deliver one event to its endpoint again"),
    "Mutation.webhookEventsReplay": _webhooks("Deliver an endpoint's events of a time range again (at most 1000)"),
}

# The one table that the permission classes, row scopes, docs and tests read.
POLICY: dict[str, Rule] = {**ACCOUNTS, **IDENTITY, **CATALOG, **ORDERING, **REQUISITION_LISTS, **FULFILMENT,
                           **RETURNS, **INVOICING, **SUBSCRIPTIONS, **TAX, **PAYMENTS, **SUPPORT, **FILES, **WEBHOOKS}


def rule(key: str) -> Rule:
    try:
        return POLICY[key]
    except KeyError:  # A typo in a field declaration must fail at import, not at request time.
        raise KeyError(f"no policy entry {key!r} in permissions/policy.py") from None
