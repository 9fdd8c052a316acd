"""Every role of the demo world over every guarded field of the policy table.

Expectations are written out here, not computed from the policy table, so a wrong table fails.
A guarded field added to the table without a case here fails `test_every_guarded_field_is_walked`."""
from typing import Any

import pytest

from sqlmodel import select

from db.models import Account, Location, Membership, Order, Subscription, User
from permissions.policy import POLICY
from resolvers.globalid import encode
from tests.permissions.test_files_role_walk import FIELD_CASES as FILES_CASES
from tests.permissions.test_returns_role_walk import FIELD_CASES as RETURNS_CASES
from tests.support import codes, row

ADMIN, BUYER, APPROVER, AP, VIEWER = ("admin@acme.example", "buyer@acme.example", "approver@acme.example",
                                      "ap@acme.example", "viewer@acme.example")
SUPPORT, OPS, GLOBEX, JO = "support@merchant.example", "ops@merchant.example", "admin@globex.example", "jo@example.com"
EVERYONE = [ADMIN, BUYER, APPROVER, AP, VIEWER, SUPPORT, OPS, GLOBEX, JO]


async def austin_order(db: Any) -> int:
    loc = await row(db, Location, name="Austin Warehouse")
    async with db.session() as s:
        return (await s.exec(select(Order.id).where(Order.location_id == loc.id).order_by(Order.id))).first()


async def object_id(db: Any, what: str) -> str:
    if what == "account":
        return encode("Account", (await row(db, Account, name="Acme Industrial")).id)
    if what == "austin_order":
        return encode("Order", await austin_order(db))
    if what == "buyer_membership":
        buyer = await row(db, User, email=BUYER)
        return encode("Membership", (await row(db, Membership, user_id=buyer.id)).id)
    if what == "austin":
        return encode("Location", (await row(db, Location, name="Austin Warehouse")).id)
    if what == "austin_subscription":
        loc = await row(db, Location, name="Austin Warehouse")
        return encode("Subscription", (await row(db, Subscription, location_id=loc.id)).id)
    raise KeyError(what)


# key -> (object, selection on it, path of the field below `node`, who reads it, who gets FORBIDDEN).
# Everybody else must get NOT_FOUND for the object itself.
FINANCE_READERS = {ADMIN, AP, SUPPORT, OPS}
ACME_MEMBERS = {ADMIN, BUYER, APPROVER, AP, VIEWER}
STAFF = {SUPPORT, OPS}
AUSTIN_SEERS = {ADMIN, APPROVER, AP, VIEWER} | STAFF
PRICE_READERS_AT_AUSTIN = {ADMIN, APPROVER, AP} | STAFF

CASES: dict[str, tuple[str, str, list[str], set[str], set[str]]] = {
    "Account.creditLimit": ("account", "... on Account { creditLimit { amount } }", ["creditLimit"],
                            FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.balance": ("account", "... on Account { balance { amount } }", ["balance"],
                        FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.paymentTermsDays": ("account", "... on Account { paymentTermsDays }", ["paymentTermsDays"],
                                 FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.billingDetails": ("account", "... on Account { billingDetails { taxId } }", ["billingDetails"],
                               FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.invoices": ("account", "... on Account { invoices(first: 1) { totalCount } }", ["invoices"],
                         FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.paymentMethods": ("account", "... on Account { paymentMethods { last4 } }", ["paymentMethods"],
                               FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.invoiceTotals": ("account", "... on Account { invoiceTotals { currencyCode } }", ["invoiceTotals"],
                              FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.statement": ("account", '... on Account { statement(from: "2026-01-01", to: "2026-03-31") { currencyCode } }',
                          ["statement"], FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.creditNotes": ("account", "... on Account { creditNotes(first: 1) { totalCount } }", ["creditNotes"],
                            FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.payments": ("account", "... on Account { payments(first: 1) { totalCount } }", ["payments"],
                         FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.creditBalance": ("account", "... on Account { creditBalance { amount } }", ["creditBalance"],
                              FINANCE_READERS, ACME_MEMBERS - FINANCE_READERS),
    "Account.invitations": ("account", "... on Account { invitations { email } }", ["invitations"],
                            {ADMIN, OPS}, {BUYER, APPROVER, AP, VIEWER, SUPPORT}),
    "Account.oauthClients": ("account", "... on Account { oauthClients { name } }", ["oauthClients"],
                             {ADMIN, OPS}, {BUYER, APPROVER, AP, VIEWER, SUPPORT}),
    "Membership.spendingLimit": ("buyer_membership", "... on Membership { spendingLimit { amount } }",
                                 ["spendingLimit"], {ADMIN, BUYER} | STAFF, set()),
    "Membership.customFields": ("buyer_membership", "... on Membership { customFields { value } }",
                                ["customFields"], {BUYER} | STAFF, {ADMIN}),
    "Order.invoices": ("austin_order", "... on Order { invoices { number } }", ["invoices"],
                       {ADMIN, AP} | STAFF, {APPROVER, VIEWER}),
    "Order.subtotal": ("austin_order", "... on Order { subtotal { amount } }", ["subtotal"],
                       PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "Order.tax": ("austin_order", "... on Order { tax { amount } }", ["tax"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "Order.total": ("austin_order", "... on Order { total { amount } }", ["total"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "OrderLine.unitPrice": ("austin_order", "... on Order { lines { unitPrice { amount } } }",
                            ["lines", 0, "unitPrice"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "OrderLine.total": ("austin_order", "... on Order { lines { total { amount } } }", ["lines", 0, "total"],
                        PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "OrderLine.tax": ("austin_order", "... on Order { lines { tax { percent amount { amount } } } }",
                      ["lines", 0, "tax"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "ProductVariant.listPrice": ("austin", "... on Location { catalog(first: 1) { nodes { variants { listPrice { amount } } } } }",
                                 ["catalog", "nodes", 0, "variants", 0, "listPrice"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "ProductVariant.price": ("austin", "... on Location { catalog(first: 1) { nodes { variants { price(quantity: 5) { amount } } } } }",
                             ["catalog", "nodes", 0, "variants", 0, "price"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "SubscriptionItem.unitPrice": ("austin_subscription", "... on Subscription { items { unitPrice { amount } } }",
                                   ["items", 0, "unitPrice"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "Subscription.total": ("austin_subscription", "... on Subscription { total { amount } }", ["total"],
                           PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "Subscription.nextInvoiceAmount": ("austin_subscription", "... on Subscription { nextInvoiceAmount { amount } }",
                                       ["nextInvoiceAmount"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "Subscription.history": ("austin_subscription", "... on Subscription { history { kind } }", ["history"],
                             PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "Subscription.pendingAddOns": ("austin_subscription", "... on Subscription { pendingAddOns { quantity } }",
                                   ["pendingAddOns"], PRICE_READERS_AT_AUSTIN, {VIEWER}),
    "Subscription.pausePreview": ("austin_subscription", "... on Subscription { pausePreview(cycles: 1) "
                                  "{ userErrors { code } } }", ["pausePreview"], {ADMIN}, AUSTIN_SEERS - {ADMIN}),
    "Subscription.changePlanPreview": ("austin_subscription", '... on Subscription { changePlanPreview(variantId: "x") '
                                       "{ userErrors { code } } }", ["changePlanPreview"], {ADMIN},
                                       AUSTIN_SEERS - {ADMIN}),
    "Subscription.cancelPreview": ("austin_subscription", "... on Subscription { cancelPreview "
                                   "{ userErrors { code } } }", ["cancelPreview"], {ADMIN}, AUSTIN_SEERS - {ADMIN}),
    "Subscription.skipPreview": ("austin_subscription", "... on Subscription { skipPreview(cycles: 1) "
                                 "{ userErrors { code } } }", ["skipPreview"], {ADMIN}, AUSTIN_SEERS - {ADMIN}),
    "Subscription.changeCadencePreview": ("austin_subscription", "... on Subscription { changeCadencePreview("
                                          "interval: WEEK, intervalCount: 1) { userErrors { code } } }",
                                          ["changeCadencePreview"], {ADMIN}, AUSTIN_SEERS - {ADMIN}),
    "Subscription.changeItemPreview": ("austin_subscription", "... on Subscription { changeItemPreview(quantity: 1) "
                                       "{ userErrors { code } } }", ["changeItemPreview"], {ADMIN},
                                       AUSTIN_SEERS - {ADMIN}),
    "Subscription.changeNextDatePreview": ("austin_subscription", "... on Subscription { changeNextDatePreview("
                                           'date: "2031-01-01T00:00:00+00:00") { userErrors { code } } }',
                                           ["changeNextDatePreview"], {ADMIN}, AUSTIN_SEERS - {ADMIN}),
    "Subscription.addOnPreview": ("austin_subscription", '... on Subscription { addOnPreview(variantId: "x") '
                                  "{ userErrors { code } } }", ["addOnPreview"], {ADMIN}, AUSTIN_SEERS - {ADMIN}),
    "Subscription.orderNowPreview": ("austin_subscription", "... on Subscription { orderNowPreview "
                                     "{ userErrors { code } } }", ["orderNowPreview"], {ADMIN},
                                     AUSTIN_SEERS - {ADMIN}),
    "Subscription.retentionOffer": ("austin_subscription", "... on Subscription { retentionOffer "
                                    "{ userErrors { code } } }", ["retentionOffer"], {ADMIN}, AUSTIN_SEERS - {ADMIN}),
}


def test_every_guarded_field_is_walked():
    guarded = {k for k, r in POLICY.items() if r.kind == "field"}
    assert guarded == set(CASES) | set(RETURNS_CASES) | set(FILES_CASES)


def _dig(data: Any, path: list) -> Any:
    for step in path:
        if data is None:
            return None
        data = data[step]
    return data


@pytest.mark.parametrize("key", sorted(CASES))
async def test_role_walk(key, gql, db):
    what, selection, path, readers, forbidden = CASES[key]
    node_id = await object_id(db, what)
    query = f"query($id: ID!) {{ node(id: $id) {{ __typename {selection} }} }}"
    for user in EVERYONE:
        body = await gql(query, {"id": node_id}, as_=user)
        node = body["data"]["node"]
        if user in readers:
            assert "errors" not in body, (key, user, body.get("errors"))
            assert _dig(node, path) is not None, (key, user)
        elif user in forbidden:
            assert node is not None, (key, user, codes(body))
            assert _dig(node, path) is None, (key, user)
            errors = [e for e in body["errors"] if e["extensions"]["code"] == "FORBIDDEN"]
            assert errors and errors[0]["path"][:1] == ["node"] and errors[0]["path"][-1] == path[-1], (key, user, body)
            assert set(codes(body)) == {"FORBIDDEN"}, (key, user)
        else:
            assert node is None, (key, user, node)
            assert codes(body) == ["NOT_FOUND"], (key, user, body)
