"""Every demo user over every ordering mutation of the policy table.

Who is allowed is written out here, not computed from the table, so a wrong table fails. Everybody
else must be refused: a top-level FORBIDDEN, or a *_NOT_FOUND user error for objects it cannot see."""
from datetime import timedelta
from typing import Any

import pytest

from db.models import Account, RequisitionList
from permissions.policy import ORDERING
from resolvers.globalid import encode
from tests.conftest import NOW
from tests.ordering_support import (ADMIN, AP, APPROVER, BUYER, ORDER_PLACE, STAFF_ADMIN, STAFF_SUPPORT, VIEWER,
                                    data, location_gid, new_cart, plain, waiting_orders)
from tests.support import codes, gid

GLOBEX, JO = "admin@globex.example", "jo@example.com"
# Denied users first: an allowed call may change the object (cancel it, decide it).
EVERYONE = [VIEWER, AP, STAFF_SUPPORT, GLOBEX, JO, APPROVER, STAFF_ADMIN, BUYER, ADMIN]
BUYERS = {ADMIN, BUYER}

# mutation -> (input type, who is allowed)
CASES: dict[str, tuple[str, set[str]]] = {
    "cartCreate": ("CartCreateInput", BUYERS),
    "cartUpdate": ("CartUpdateInput", BUYERS),
    "cartLinesAdd": ("CartLinesAddInput", BUYERS),
    "cartLinesUpdate": ("CartLinesUpdateInput", BUYERS),
    "cartLinesRemove": ("CartLinesRemoveInput", BUYERS),
    "cartPricesRefresh": ("CartPricesRefreshInput", BUYERS),
    "cartDelete": ("CartDeleteInput", BUYERS),
    "cartQuickOrder": ("CartQuickOrderInput", BUYERS),
    "requisitionListAddToCart": ("RequisitionListAddToCartInput", BUYERS),
    "orderPlace": ("OrderPlaceInput", BUYERS),
    "orderReorder": ("OrderReorderInput", BUYERS),
    "orderUpdate": ("OrderUpdateInput", BUYERS),
    "orderCancel": ("OrderCancelInput", BUYERS),
    "orderApprove": ("OrderDecisionInput", {ADMIN, APPROVER}),
    "orderReject": ("OrderDecisionInput", {ADMIN, APPROVER}),
    "quoteRequest": ("QuoteRequestInput", BUYERS),
    "quoteRespond": ("QuoteRespondInput", {STAFF_ADMIN}),
    "quoteAccept": ("QuoteAcceptInput", BUYERS),
    "quoteDecline": ("QuoteDeclineInput", BUYERS),
    "accountOrderingSettingsUpdate": ("AccountOrderingSettingsUpdateInput", {ADMIN, STAFF_ADMIN}),
}


def test_every_ordering_mutation_is_walked():
    ordering = {k.removeprefix("Mutation.") for k, r in ORDERING.items() if r.kind == "mutation"}
    assert ordering == set(CASES)


async def _world(gql: Any, db: Any) -> dict[str, Any]:
    contract_v = await plain(db)
    cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 2}])
    other = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 2}])
    placed = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "w", "cartId": other["id"]}}, as_=BUYER),
                  "orderPlace")["order"]
    quote = data(await gql("""mutation($i: QuoteRequestInput!) { quoteRequest(input: $i) { quote { id lines { id } } } }""",
                           {"i": {"locationId": await location_gid(db, "Denver Plant"),
                                  "lines": [{"sku": contract_v.sku, "quantity": 5}]}}, as_=BUYER), "quoteRequest")["quote"]
    await gql("""mutation($i: QuoteRespondInput!) { quoteRespond(input: $i) { userErrors { code } } }""",
              {"i": {"quoteId": quote["id"], "expiresAt": (NOW + timedelta(days=5)).isoformat(),
                     "lines": [{"lineId": quote["lines"][0]["id"], "unitPrice": "9.99"}]}}, as_=STAFF_ADMIN)
    return {"denver": await location_gid(db, "Denver Plant"), "cart": cart, "line": cart["lines"][0]["id"],
            "order": placed, "pending": encode("Order", (await waiting_orders(db, placed_by=BUYER))[0].id), "quote": quote,
            "account": await gid(db, Account, name="Acme Industrial"), "sku": contract_v.sku,
            "list": await gid(db, RequisitionList, name="Denver weekly restock")}


def _input(name: str, w: dict[str, Any], user: str) -> dict[str, Any]:
    line = [{"sku": w["sku"], "quantity": 1}]
    return {
        "cartCreate": {"locationId": w["denver"]},
        "cartUpdate": {"cartId": w["cart"]["id"], "note": "n"},
        "cartLinesAdd": {"cartId": w["cart"]["id"], "lines": line},
        "cartLinesUpdate": {"cartId": w["cart"]["id"], "lines": [{"lineId": w["line"], "quantity": 3}]},
        "cartLinesRemove": {"cartId": w["cart"]["id"], "lineIds": []},
        "cartPricesRefresh": {"cartId": w["cart"]["id"]},
        "cartDelete": {"cartId": w["cart"]["id"]},
        "cartQuickOrder": {"locationId": w["denver"], "lines": line},
        "requisitionListAddToCart": {"requisitionListId": w["list"], "cartId": w["cart"]["id"]},
        "orderPlace": {"idempotencyKey": f"walk-{user}", "locationId": w["denver"], "lines": line},
        "orderReorder": {"orderId": w["order"]["id"]},
        "orderUpdate": {"orderId": w["order"]["id"], "note": f"by {user}"},
        "orderCancel": {"orderId": w["order"]["id"]},
        "orderApprove": {"orderId": w["pending"]},
        "orderReject": {"orderId": w["pending"]},
        "quoteRequest": {"locationId": w["denver"], "lines": line},
        "quoteRespond": {"quoteId": w["quote"]["id"], "expiresAt": (NOW + timedelta(days=5)).isoformat(),
                         "lines": [{"lineId": w["quote"]["lines"][0]["id"], "unitPrice": "9.50"}]},
        "quoteAccept": {"quoteId": w["quote"]["id"]},
        "quoteDecline": {"quoteId": w["quote"]["id"]},
        "accountOrderingSettingsUpdate": {"accountId": w["account"]},
    }[name]


@pytest.mark.parametrize("name", sorted(CASES))
async def test_ordering_role_walk(name, gql, db):
    input_type, allowed = CASES[name]
    world = await _world(gql, db)
    query = f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ code message }} }} }}"
    for user in EVERYONE:
        if name == "cartDelete":  # each caller gets a cart of its own to delete
            world["cart"] = await new_cart(gql, db, [{"sku": world["sku"], "quantity": 1}])
        body = await gql(query, {"i": _input(name, world, user)}, as_=user)
        top = codes(body)
        errors = [] if body.get("data") is None or body["data"].get(name) is None else [
            e["code"] for e in body["data"][name]["userErrors"]]
        refused = top == ["FORBIDDEN"] or any(c.endswith("NOT_FOUND") for c in errors)
        if user in allowed:
            assert not refused and not top, (name, user, body)
        else:
            assert refused, (name, user, body)
