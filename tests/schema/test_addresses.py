"""Addresses: a person's own book, a location's addresses (its ADMIN), one default per kind,
validated as billing details are; an order keeps the address it was placed with."""
from sqlmodel import func, select

from db.models import Address, Order, UserAddress
from tests.ordering_support import ADMIN, APPROVER, BUYER, ORDER_PLACE, STAFF_ADMIN, data, location_gid, ruled
from tests.support import codes, gid, row

ERRORS = "userErrors { code field }"
BOOK = "{ viewer { addresses { id kind label line1 city region postalCode country isDefault } } }"
BOOK_SAVE = f"""mutation($input: ViewerAddressSaveInput!) {{ viewerAddressSave(input: $input) {{
  address {{ id kind label line1 city region postalCode country isDefault }} {ERRORS} }} }}"""
BOOK_DELETE = f"""mutation($id: ID!) {{ viewerAddressDelete(input: {{id: $id}}) {{ deletedId {ERRORS} }} }}"""
LOC_SAVE = f"""mutation($input: LocationAddressSaveInput!) {{ locationAddressSave(input: $input) {{
  address {{ id kind line1 region postalCode isDefault }}
  location {{ name shippingAddresses {{ line1 isDefault }} billingAddresses {{ line1 isDefault }} }} {ERRORS} }} }}"""
LOC_DELETE = f"""mutation($id: ID!) {{ locationAddressDelete(input: {{id: $id}}) {{ deletedId
  location {{ shippingAddresses {{ line1 isDefault }} }} {ERRORS} }} }}"""
HOME = {"kind": "SHIPPING", "label": "Cabin", "line1": "12 Pine Rd", "city": "Estes Park", "region": "co",
        "postalCode": "80517", "country": "us"}


async def rows_of(db, model):
    async with db.session() as s:
        return list((await s.exec(select(model).order_by(model.id))).all())


async def book(gql, who=BUYER):
    return (await gql(BOOK, as_=who))["data"]["viewer"]["addresses"]


def errors(body, name):
    return [e["code"] for e in body["data"][name]["userErrors"]]


async def test_the_address_book_is_the_persons_own(gql, db):
    before = await rows_of(db, UserAddress)
    assert codes(await gql(BOOK_SAVE, {"input": HOME})) == ["UNAUTHENTICATED"]
    # Jo's address: another person's book is not found, and nothing changes.
    jos = await gid(db, UserAddress, label="Studio")
    body = await gql(BOOK_SAVE, {"input": {**HOME, "id": jos}}, as_=BUYER)
    assert errors(body, "viewerAddressSave") == ["ADDRESS_NOT_FOUND"]
    assert errors(await gql(BOOK_DELETE, {"id": jos}, as_=BUYER), "viewerAddressDelete") == ["ADDRESS_NOT_FOUND"]
    # An address of a location is not one of the book's.
    loc_address = await gid(db, Address, line2="Dock 1", city="Denver")
    assert errors(await gql(BOOK_DELETE, {"id": loc_address}, as_=BUYER), "viewerAddressDelete") == \
        ["ADDRESS_NOT_FOUND"]
    assert [(a.id, a.line1, a.is_default) for a in await rows_of(db, UserAddress)] == \
           [(a.id, a.line1, a.is_default) for a in before]
    assert [a["label"] for a in await book(gql, "jo@example.com")] == ["Studio"]


async def test_addresses_are_validated_like_billing_details(gql, db):
    before = await rows_of(db, UserAddress)
    for bad, found in (({"country": "XX"}, [("INVALID_COUNTRY", "country")]),
                       ({"region": None}, [("REGION_REQUIRED", "region")]),
                       ({"region": "ZZ", "postalCode": "8051"}, [("INVALID_REGION", "region"),
                                                                 ("INVALID_POSTAL_CODE", "postalCode")]),
                       ({"line1": " ", "city": "x" * 101}, [("REQUIRED", "line1"), ("TOO_LONG", "city")]),
                       ({"country": "DE", "region": None, "postalCode": "1011"}, [("INVALID_POSTAL_CODE",
                                                                                   "postalCode")])):
        body = await gql(BOOK_SAVE, {"input": {**HOME, **bad}}, as_=BUYER)
        assert [(e["code"], e["field"][-1]) for e in body["data"]["viewerAddressSave"]["userErrors"]] == found, bad
        assert body["data"]["viewerAddressSave"]["address"] is None
    assert len(await rows_of(db, UserAddress)) == len(before)
    # The same rules for a location's addresses (its ADMIN) and for staff editing locations.
    body = await gql(LOC_SAVE, {"input": {**{k: v for k, v in HOME.items() if k != "label"}, "region": "XX",
                                          "locationId": await location_gid(db, "Denver Plant")}}, as_=ADMIN)
    assert errors(body, "locationAddressSave") == ["INVALID_REGION"]
    body = await gql("""mutation($input: LocationUpdateInput!) { locationUpdate(input: $input) { userErrors { code } } }""",
                     {"input": {"id": await location_gid(db, "Denver Plant"), "addresses": [
                         {"kind": "SHIPPING", "line1": "1 Main", "city": "Denver", "country": "US", "region": "CO",
                          "postalCode": "ABCDE"}]}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["locationUpdate"]["userErrors"]] == ["INVALID_POSTAL_CODE"]


async def test_one_default_per_kind_in_the_book(gql, db):
    [ship, bill] = sorted(await book(gql), key=lambda a: a["kind"], reverse=True)
    assert (ship["kind"], ship["isDefault"], bill["kind"], bill["isDefault"]) == ("SHIPPING", True, "BILLING", True)
    body = await gql(BOOK_SAVE, {"input": HOME}, as_=BUYER)
    cabin = body["data"]["viewerAddressSave"]["address"]
    assert (cabin["region"], cabin["country"], cabin["isDefault"]) == ("CO", "US", False)
    body = await gql(BOOK_SAVE, {"input": {**HOME, "id": cabin["id"], "isDefault": True, "label": "Cabin 2"}},
                     as_=BUYER)
    assert body["data"]["viewerAddressSave"]["address"]["isDefault"] is True
    defaults = {(a["label"], a["kind"]) for a in await book(gql) if a["isDefault"]}
    assert defaults == {("Cabin 2", "SHIPPING"), ("Expenses", "BILLING")}
    # A change that does not mention the mark keeps it.
    body = await gql(BOOK_SAVE, {"input": {**HOME, "id": cabin["id"], "label": "Cabin 3"}}, as_=BUYER)
    assert body["data"]["viewerAddressSave"]["address"]["isDefault"] is True
    cabin["id"] = body["data"]["viewerAddressSave"]["address"]["id"]
    # Deleting the default passes the mark to the oldest address left of its kind.
    assert errors(await gql(BOOK_DELETE, {"id": cabin["id"]}, as_=BUYER), "viewerAddressDelete") == []
    defaults = {(a["label"], a["kind"]) for a in await book(gql) if a["isDefault"]}
    assert defaults == {("Home office", "SHIPPING"), ("Expenses", "BILLING")}
    # Moving the only billing address to shipping: it takes its own kind's default only if asked.
    body = await gql(BOOK_SAVE, {"input": {**HOME, "id": bill["id"], "kind": "SHIPPING"}}, as_=BUYER)
    assert body["data"]["viewerAddressSave"]["address"]["isDefault"] is False
    assert sum(a["isDefault"] for a in await book(gql)) == 1


async def test_a_locations_addresses_are_its_admins_to_change(gql, db):
    denver = await location_gid(db, "Denver Plant")
    new = {"locationId": denver, "kind": "SHIPPING", "line1": "4900 Dahlia St", "city": "Denver", "region": "CO",
           "postalCode": "80216", "country": "US"}
    before = await rows_of(db, Address)
    for who in (BUYER, APPROVER, "ap@acme.example", "viewer@acme.example", STAFF_ADMIN):
        body = await gql(LOC_SAVE, {"input": new}, as_=who)
        assert codes(body) == ["FORBIDDEN"] and body["data"] is None, who
    # Another account's ADMIN does not see the location: not found.
    body = await gql(LOC_SAVE, {"input": new}, as_="admin@globex.example")
    assert errors(body, "locationAddressSave") == ["LOCATION_NOT_FOUND"]
    dock = await gid(db, Address, line2="Dock 1", city="Denver")
    body = await gql(LOC_DELETE, {"id": dock}, as_="admin@globex.example")
    assert errors(body, "locationAddressDelete") == ["ADDRESS_NOT_FOUND"]
    assert len(await rows_of(db, Address)) == len(before)

    body = await gql(LOC_SAVE, {"input": {**new, "isDefault": True}}, as_=ADMIN)
    payload = body["data"]["locationAddressSave"]
    assert payload["userErrors"] == [] and payload["address"]["isDefault"] is True
    assert [(a["line1"], a["isDefault"]) for a in payload["location"]["shippingAddresses"]] == \
           [("4900 Dahlia St", True), ("4800 Dahlia St", False), ("4800 Dahlia St", False)]
    assert [a["isDefault"] for a in payload["location"]["billingAddresses"]] == [True]
    # A billing address made the default; then the default shipping address deleted.
    body = await gql(LOC_SAVE, {"input": {**new, "kind": "BILLING", "line1": "PO Box 5", "isDefault": True}},
                     as_=ADMIN)
    assert [(a["line1"], a["isDefault"]) for a in body["data"]["locationAddressSave"]["location"]["billingAddresses"]] \
        == [("PO Box 5", True), ("4800 Dahlia St", False)]
    body = await gql(LOC_DELETE, {"id": payload["address"]["id"]}, as_=ADMIN)
    assert body["data"]["locationAddressDelete"]["location"]["shippingAddresses"][0] == \
           {"line1": "4800 Dahlia St", "isDefault": True}


async def test_an_order_keeps_the_address_it_was_placed_with(gql, db):
    v = await ruled(db)
    denver = await location_gid(db, "Denver Plant")
    office = await gid(db, UserAddress, label="Home office")
    orders = await _count(db)
    lines = [{"sku": v.sku, "quantity": 10}]
    for address in (await gid(db, UserAddress, label="Studio"), await gid(db, UserAddress, label="Expenses")):
        body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": f"k-{address}", "locationId": denver,
                                                 "lines": lines, "shippingAddressId": address}}, as_=BUYER)
        assert [e["code"] for e in data(body, "orderPlace")["userErrors"]] == ["ADDRESS_NOT_FOUND"]
    assert await _count(db) == orders
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": "k-book", "locationId": denver, "lines": lines,
                                             "shippingAddressId": office}}, as_=BUYER)
    order = data(body, "orderPlace")["order"]
    assert order["shippingAddress"]["line1"] == "1550 Larimer St"
    # The book changes; the order does not.
    await gql(BOOK_SAVE, {"input": {**HOME, "id": office}}, as_=BUYER)
    await gql(BOOK_DELETE, {"id": office}, as_=BUYER)
    placed = await row(db, Order, id=int(order["number"]) - 100000)
    assert placed.shipping_address == {"recipient": "Bob Buyer", "line1": "1550 Larimer St", "line2": None,
                                       "city": "Denver", "region": "CO", "postal_code": "80202", "country": "US"}
    # Without one: the location's default shipping address, kept as well.
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": "k-default", "locationId": denver, "lines": lines}},
                     as_=BUYER)
    assert data(body, "orderPlace")["order"]["shippingAddress"]["line2"] == "Dock 1"


async def test_location_address_lists_read_in_a_fixed_number_of_statements(gql, db):
    plain = "{ viewer { locations { name shippingAddresses { line1 } } } }"
    both = "{ viewer { locations { name shippingAddresses { line1 } billingAddresses { line1 } billingAddress { city } } } }"
    first = await gql(plain, as_=ADMIN)
    second = await gql(both, as_=ADMIN)
    assert len(second["data"]["viewer"]["locations"]) == 3
    assert second["_statements"] == first["_statements"]  # the same loader, one read for every location
    assert (await gql(BOOK, as_=BUYER))["_statements"] == (await gql("{ viewer { name } }", as_=BUYER))["_statements"] + 1


async def _count(db):
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(Order))).one()


async def test_integrations_change_no_profile_or_address(gql, db, client):
    from tests.server.test_oauth import register, token_for  # noqa: PLC0415
    made = (await register(gql, db, ["account:read", "orders:write", "members:read"]))["data"]["oauthClientCreate"]
    token = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    denver = await location_gid(db, "Denver Plant")
    before = (len(await rows_of(db, Address)), len(await rows_of(db, UserAddress)))
    for query, variables in (
            (LOC_SAVE, {"input": {"locationId": denver, "kind": "SHIPPING", "line1": "1 A St", "city": "Denver",
                                  "region": "CO", "country": "US"}}),
            (BOOK_SAVE, {"input": HOME}),
            ("""mutation { viewerUpdate(input: {name: "Bot"}) { userErrors { code } } }""", None),
            ("""mutation { emailChangeRequest(input: {newEmail: "bot@x.example"}) { userErrors { code } } }""", None)):
        body = await gql(query, variables, headers=auth)
        assert codes(body) == ["FORBIDDEN"] and body["data"] is None, query
    assert (len(await rows_of(db, Address)), len(await rows_of(db, UserAddress))) == before


async def test_a_session_the_merchants_backend_made_edits_the_persons_profile_and_book(gql, db, client, clock):
    from db.models import Account  # noqa: PLC0415
    from tests.server.test_customer_sessions import api_key  # noqa: PLC0415
    made = await client.post("/customer-sessions", json={"email": BUYER, "accountId": await gid(
        db, Account, name="Acme Industrial"), "minutes": 10},
        headers={"authorization": f"Bearer {await api_key(db, clock)}"})
    auth = {"authorization": f"Bearer {made.json()['token']}"}
    body = await gql(BOOK_SAVE, {"input": HOME}, headers=auth)
    assert body["data"]["viewerAddressSave"]["userErrors"] == []
    body = await gql("""mutation { viewerUpdate(input: {timeZone: "America/Denver"}) { viewer { timeZone } } }""",
                     headers=auth)
    assert body["data"]["viewerUpdate"]["viewer"] == {"timeZone": "America/Denver"}
