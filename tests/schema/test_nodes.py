"""node(id:) and nodes(ids:): another account's object is NOT_FOUND exactly like a missing one."""
import base64

from sqlmodel import select

from db.models import Account, Invoice, Location, Order
from resolvers.globalid import encode
from tests.support import codes, row

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


async def test_foreign_and_missing_objects_answer_identically(gql, db):
    acme_order = await row(db, Order, number=(await _first_order(db, "Acme Industrial")))
    foreign = await gql(NODE, {"id": encode("Order", acme_order.id)}, as_="admin@globex.example")
    missing = await gql(NODE, {"id": encode("Order", 999_999)}, as_="admin@globex.example")
    for body in (foreign, missing):
        assert body["data"] == {"node": None}
    strip = lambda b: [(e["message"], e["extensions"], e["path"]) for e in b["errors"]]  # noqa: E731
    assert strip(foreign) == strip(missing) and codes(foreign) == ["NOT_FOUND"]


async def test_own_object_is_found(gql, db):
    acme_order = await row(db, Order, number=(await _first_order(db, "Acme Industrial")))
    body = await gql(NODE, {"id": encode("Order", acme_order.id)}, as_="admin@acme.example")
    assert body["data"]["node"] == {"__typename": "Order", "id": encode("Order", acme_order.id)}


async def test_nodes_mixes_found_and_not_found_in_order(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    globex = await row(db, Account, name="Globex GmbH")
    denver = await row(db, Location, name="Denver Plant")
    ids = [encode("Account", acme.id), encode("Account", globex.id), encode("Location", denver.id), "bad!"]
    body = await gql(NODES, {"ids": ids}, as_="buyer@acme.example")
    assert body["data"]["nodes"] == [{"__typename": "Account", "id": ids[0]}, None,
                                     {"__typename": "Location", "id": ids[2]}, None]
    by_path = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    assert by_path == {("nodes", 1): "NOT_FOUND", ("nodes", 3): "BAD_USER_INPUT"}


async def test_location_of_own_account_outside_the_callers_locations_is_not_found(gql, db):
    austin = await row(db, Location, name="Austin Warehouse")
    body = await gql(NODE, {"id": encode("Location", austin.id)}, as_="buyer@acme.example")
    assert body["data"]["node"] is None and codes(body) == ["NOT_FOUND"]


async def test_invoices_are_not_found_for_roles_without_finance(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    async with db.session() as s:
        invoice = (await s.exec(select(Invoice).where(Invoice.account_id == acme.id))).first()
    for user in ("buyer@acme.example", "approver@acme.example", "viewer@acme.example", "admin@globex.example"):
        body = await gql(NODE, {"id": encode("Invoice", invoice.id)}, as_=user)
        assert body["data"]["node"] is None and codes(body) == ["NOT_FOUND"], user
    body = await gql(NODE, {"id": encode("Invoice", invoice.id)}, as_="ap@acme.example")
    assert body["data"]["node"]["__typename"] == "Invoice"


async def test_malformed_and_unknown_ids(gql):
    unknown_type = base64.urlsafe_b64encode(b"Spaceship:1").decode().rstrip("=")
    for gid, code in (("not base64 at all!", "BAD_USER_INPUT"), (base64.b64encode(b"Order:abc").decode(), "BAD_USER_INPUT"),
                      ("x" * 500, "BAD_USER_INPUT"), (unknown_type, "NOT_FOUND")):
        body = await gql(NODE, {"id": gid}, as_="admin@acme.example")
        assert body["data"] == {"node": None} and codes(body) == [code], gid


async def test_node_needs_a_session(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    body = await gql(NODE, {"id": encode("Account", acme.id)})
    assert body["data"] == {"node": None} and codes(body) == ["UNAUTHENTICATED"]


async def test_too_many_ids(gql):
    body = await gql(NODES, {"ids": [encode("Order", i) for i in range(101)]}, as_="admin@acme.example")
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_nested_lists_are_scoped_to_the_caller(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    query = """query($id: ID!) { node(id: $id) { ... on Account { locations { name } members { user { email } } } } }"""
    buyer = (await gql(query, {"id": encode("Account", acme.id)}, as_="buyer@acme.example"))["data"]["node"]
    assert buyer == {"locations": [{"name": "Denver Plant"}], "members": [{"user": {"email": "buyer@acme.example"}}]}
    admin = (await gql(query, {"id": encode("Account", acme.id)}, as_="admin@acme.example"))["data"]["node"]
    assert {loc["name"] for loc in admin["locations"]} == {"Chicago HQ", "Denver Plant", "Austin Warehouse"}
    assert len(admin["members"]) == 5


async def _first_order(db, account_name):
    acme = await row(db, Account, name=account_name)
    async with db.session() as s:
        return (await s.exec(select(Order.number).where(Order.account_id == acme.id).order_by(Order.id))).first()
