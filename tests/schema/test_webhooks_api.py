"""Webhook endpoints through the API: who may register and see them, coded errors, and a real
mutation's event delivered to a receiver on loopback, listed with its attempts and replayed."""
import dataclasses
import json

import pytest
from sqlmodel import select

from db.models import Account, WebhookDelivery, WebhookEndpoint, WebhookEvent
from domain.clock import FixedClock
from domain.webhooks import delivery, signing
from domain.webhooks.settings import WebhookSettings
from integrations.webhook_http import HttpSender
from resolvers.globalid import decode, encode
from server.settings import Settings
from tests.conftest import NOW
from tests.support import codes, row
from tests.webhook_receiver import Receiver

STAFF_ADMIN, SUPPORT = "ops@merchant.example", "support@merchant.example"
ADMIN, BUYER, GLOBEX_ADMIN = "admin@acme.example", "buyer@acme.example", "admin@globex.example"

CREATE = """mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {
  endpoint { id url eventTypes enabled accountId } secret userErrors { code field message } } }"""
UPDATE = """mutation($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) {
  endpoint { id enabled disabledReason eventTypes } userErrors { code field } } }"""
ENDPOINTS = "{ webhookEndpoints { id url accountId } }"
DEMO = 1  # the demo data's example endpoint (disabled)
DELIVERIES = """query($endpointId: ID, $status: WebhookDeliveryStatus) {
  webhookDeliveries(endpointId: $endpointId, status: $status) {
    id endpointId eventType objectId status attempts lastStatusCode lastError replay } }"""


@pytest.fixture
def settings(db):
    s = Settings(database_url=db.url)
    s.sessions = dataclasses.replace(s.sessions, webhooks=WebhookSettings(account_endpoints=True))
    return s


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


async def count(db, model) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return len((await s.exec(select(model))).all())


def given(url="https://hooks.example.com/in", types=("order.placed",), **kw):  # type: ignore[no-untyped-def]
    return {"input": {"url": url, "eventTypes": list(types), **kw}}


async def test_who_may_register_endpoints(gql, db):
    acme = encode("Account", (await row(db, Account, name="Acme Industrial")).id)
    for who in (BUYER, SUPPORT):
        assert codes(await gql(CREATE, given(accountId=acme), as_=who)) == ["FORBIDDEN"], who
    assert codes(await gql(CREATE, given(), as_=ADMIN)) == ["FORBIDDEN"]  # an ADMIN names its account
    globex_on_acme = await gql(CREATE, given(accountId=acme), as_=GLOBEX_ADMIN)
    assert codes(globex_on_acme) == ["FORBIDDEN"]
    assert await count(db, WebhookEndpoint) == DEMO

    body = (await gql(CREATE, given(types=["order.placed", "nope"]), as_=STAFF_ADMIN))["data"]["webhookEndpointCreate"]
    assert [(e["code"], e["field"]) for e in body["userErrors"]] == [("UNKNOWN_EVENT_TYPE", ["input", "eventTypes", "1"])]
    body = (await gql(CREATE, given(url="http://hooks.example.com/"), as_=STAFF_ADMIN))["data"]["webhookEndpointCreate"]
    assert [e["code"] for e in body["userErrors"]] == ["INVALID_URL"]
    assert await count(db, WebhookEndpoint) == DEMO

    staff = (await gql(CREATE, given(), as_=STAFF_ADMIN))["data"]["webhookEndpointCreate"]
    assert staff["userErrors"] == [] and staff["secret"].startswith("whsec_") and staff["endpoint"]["accountId"] is None
    own = (await gql(CREATE, given(accountId=acme), as_=ADMIN))["data"]["webhookEndpointCreate"]
    assert own["userErrors"] == [] and own["endpoint"]["accountId"] == acme

    assert [e["id"] for e in (await gql(ENDPOINTS, as_=ADMIN))["data"]["webhookEndpoints"]] == [own["endpoint"]["id"]]
    assert (await gql(ENDPOINTS, as_=GLOBEX_ADMIN))["data"]["webhookEndpoints"] == []
    assert len((await gql(ENDPOINTS, as_=STAFF_ADMIN))["data"]["webhookEndpoints"]) == DEMO + 2
    # The merchant's endpoint is not the ADMIN's to change: as if it did not exist.
    denied = (await gql(UPDATE, {"input": {"id": staff["endpoint"]["id"], "enabled": False}}, as_=ADMIN))
    assert [e["code"] for e in denied["data"]["webhookEndpointUpdate"]["userErrors"]] == ["NOT_FOUND"]
    assert (await row(db, WebhookEndpoint, id=decode(staff["endpoint"]["id"])[1])).enabled
    off = (await gql(UPDATE, {"input": {"id": staff["endpoint"]["id"], "enabled": False}}, as_=STAFF_ADMIN))
    assert off["data"]["webhookEndpointUpdate"]["endpoint"] == {
        "id": staff["endpoint"]["id"], "enabled": False, "disabledReason": "STAFF", "eventTypes": ["order.placed"]}


async def test_an_account_admin_may_not_register_unless_the_merchant_allows(gql, db, settings):
    settings.sessions = dataclasses.replace(settings.sessions, webhooks=WebhookSettings())
    acme = encode("Account", (await row(db, Account, name="Acme Industrial")).id)
    body = (await gql(CREATE, given(accountId=acme), as_=ADMIN))["data"]["webhookEndpointCreate"]
    assert [e["code"] for e in body["userErrors"]] == ["ACCOUNT_ENDPOINTS_OFF"]
    assert await count(db, WebhookEndpoint) == DEMO


async def test_a_mutations_event_is_delivered_listed_and_replayed(gql, db, receiver):
    made = (await gql(CREATE, given(url=receiver.url(), types=["account.updated"]), as_=STAFF_ADMIN))
    made = made["data"]["webhookEndpointCreate"]
    acme = await row(db, Account, name="Acme Industrial")
    update = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { userErrors { code } } }"""
    failed = await gql(update, {"input": {"id": encode("Account", acme.id), "paymentTermsDays": -5}}, as_=STAFF_ADMIN)
    assert failed["data"]["accountUpdate"]["userErrors"]  # refused: nothing changed, no event
    assert await count(db, WebhookEvent) == 0
    done = await gql(update, {"input": {"id": encode("Account", acme.id), "paymentTermsDays": 45}}, as_=STAFF_ADMIN)
    assert done["data"]["accountUpdate"]["userErrors"] == []
    sender = HttpSender()
    try:
        assert (await delivery.run(db, sender, FixedClock(NOW), WebhookSettings())).delivered == 1
    finally:
        await sender.close()
    [got] = receiver.got
    assert signing.verify(made["secret"], got.headers, got.body, now=int(got.headers["webhook-timestamp"]))
    sent = json.loads(got.body)
    assert sent["type"] == "account.updated"
    assert sent["data"]["id"] == encode("Account", acme.id) and sent["data"]["state"]["paymentTermsDays"] == 45

    listed = await gql(DELIVERIES, {"endpointId": made["endpoint"]["id"]}, as_=STAFF_ADMIN)
    [d] = listed["data"]["webhookDeliveries"]
    assert (d["eventType"], d["status"], d["attempts"], d["lastStatusCode"], d["objectId"]) == \
        ("account.updated", "DELIVERED", 1, 200, encode("Account", acme.id))
    assert listed["_statements"] == 2  # the session's, and one SELECT of the deliveries whatever their number
    assert (await gql(DELIVERIES, {}, as_=ADMIN))["data"]["webhookDeliveries"] == []  # not its endpoint
    attempts = await gql("""query($id: ID!) { webhookDeliveryAttempts(deliveryId: $id) { statusCode ok responseHead } }""",
                         {"id": d["id"]}, as_=STAFF_ADMIN)
    assert attempts["data"]["webhookDeliveryAttempts"] == [{"statusCode": 200, "ok": True, "responseHead": '{"ok":true}'}]

    replay = """mutation($input: WebhookDeliveryReplayInput!) { webhookDeliveryReplay(input: $input) {
      delivery { status replay } replayed userErrors { code } } }"""
    again = (await gql(replay, {"input": {"id": d["id"]}}, as_=STAFF_ADMIN))["data"]["webhookDeliveryReplay"]
    assert again == {"delivery": {"status": "PENDING", "replay": True}, "replayed": 1, "userErrors": []}
    rng = """mutation($input: WebhookEventsReplayInput!) { webhookEventsReplay(input: $input) { replayed userErrors { code } } }"""
    bad = await gql(rng, {"input": {"endpointId": made["endpoint"]["id"], "since": "2026-06-16T00:00:00Z",
                                    "until": "2026-06-15T00:00:00Z"}}, as_=STAFF_ADMIN)
    assert bad["data"]["webhookEventsReplay"] == {"replayed": None, "userErrors": [{"code": "INVALID_RANGE"}]}
    ok = await gql(rng, {"input": {"endpointId": made["endpoint"]["id"], "since": "2026-06-15T00:00:00Z",
                                   "until": "2026-06-16T00:00:00Z"}}, as_=STAFF_ADMIN)
    assert ok["data"]["webhookEventsReplay"] == {"replayed": 1, "userErrors": []}
    sender = HttpSender()
    try:
        assert (await delivery.run(db, sender, FixedClock(NOW), WebhookSettings())).delivered == 2
    finally:
        await sender.close()
    ids = {r.headers["webhook-id"] for r in receiver.got}
    assert len(receiver.got) == 3 and len(ids) == 1  # replays keep the event's webhook-id
    assert await count(db, WebhookDelivery) == 3


async def test_rotations_and_replays_are_rate_limited(gql, db):
    made = (await gql(CREATE, given(), as_=STAFF_ADMIN))["data"]["webhookEndpointCreate"]
    rotate = """mutation($input: WebhookEndpointRotateSecretInput!) { webhookEndpointRotateSecret(input: $input) {
      secret userErrors { code } } }"""
    for _ in range(9):  # the create counted too: 10 a minute
        body = await gql(rotate, {"input": {"id": made["endpoint"]["id"]}}, as_=STAFF_ADMIN)
        assert body["data"]["webhookEndpointRotateSecret"]["secret"].startswith("whsec_")
    kept = (await row(db, WebhookEndpoint, id=decode(made["endpoint"]["id"])[1])).secret
    body = await gql(rotate, {"input": {"id": made["endpoint"]["id"]}}, as_=STAFF_ADMIN)
    assert codes(body) == ["THROTTLED"]
    assert (await row(db, WebhookEndpoint, id=decode(made["endpoint"]["id"])[1])).secret == kept


async def test_placing_an_order_writes_its_events_in_the_same_transaction(gql, db):
    from tests.ordering_support import ORDER_PLACE, data, location_gid, plain  # noqa: PLC0415

    v = await plain(db)
    placed = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "hooks-1", "locationId": await location_gid(
        db, "Denver Plant"), "lines": [{"sku": v.sku, "quantity": 2}]}}, as_=BUYER), "orderPlace")
    order_id = decode(placed["order"]["id"])[1]
    async with db.session() as s:
        events = (await s.exec(select(WebhookEvent).order_by(WebhookEvent.id))).all()
    assert sorted((e.type, e.object_type) for e in events) == [("invoice.issued", "Invoice"), ("order.placed", "Order")]
    order_event = next(e for e in events if e.type == "order.placed")
    assert order_event.object_id == order_id and order_event.payload["status"] == "OPEN"
    assert order_event.payload["locationId"] == await location_gid(db, "Denver Plant")
    invoice = next(e for e in events if e.type == "invoice.issued")
    assert invoice.payload["orderId"] == placed["order"]["id"] and invoice.payload["number"]


async def test_shipping_and_delivering_an_order_write_their_events(gql, db):
    from tests.order_factories import open_order  # noqa: PLC0415
    from tests.schema.test_fulfilment import CREATE as SHIP, EVENT, _input  # noqa: PLC0415

    order, lines = await open_order(db, quantities=(2,))
    f = (await gql(SHIP, {"input": _input(order, lines, [2])}, as_=STAFF_ADMIN))["data"]["fulfilmentCreate"]
    assert f["userErrors"] == []
    await gql(EVENT, {"input": {"fulfilmentId": f["fulfilment"]["id"], "status": "IN_TRANSIT"}}, as_=STAFF_ADMIN)
    await gql(EVENT, {"input": {"fulfilmentId": f["fulfilment"]["id"], "status": "DELIVERED"}}, as_=STAFF_ADMIN)
    async with db.session() as s:
        events = (await s.exec(select(WebhookEvent).where(WebhookEvent.object_type == "Order")
                               .order_by(WebhookEvent.id))).all()
    assert [(e.type, e.payload["status"]) for e in events if e.object_id == order.id] == [
        ("order.fulfilled", "FULFILLED"), ("order.delivered", "FULFILLED")]


async def test_a_members_new_roles_are_in_its_event(gql, db):
    from db.models import Location, Membership, User  # noqa: PLC0415
    from tests.schema.test_members import SET  # noqa: PLC0415

    user = await row(db, User, email=BUYER)
    membership = await row(db, Membership, user_id=user.id)
    austin = encode("Location", (await row(db, Location, name="Austin Warehouse")).id)
    body = await gql(SET, {"input": {"membershipId": encode("Membership", membership.id), "roles": [
        {"role": "APPROVER", "locationIds": [austin]}, {"role": "VIEWER"}]}}, as_=ADMIN)
    assert body["data"]["membershipRolesSet"]["userErrors"] == []
    async with db.session() as s:
        [event] = (await s.exec(select(WebhookEvent))).all()
    assert (event.type, event.object_id) == ("membership.changed", membership.id)
    assert event.payload["userId"] == encode("User", user.id)
    assert event.payload["roles"] == [{"role": "APPROVER", "locationId": austin}, {"role": "VIEWER", "locationId": None}]


async def test_bad_arguments_of_the_delivery_lists_are_coded_errors(gql):
    query = """query($e: ID, $since: DateTime, $first: Int) {
      webhookDeliveries(endpointId: $e, since: $since, first: $first) { id } }"""
    for variables in ({"e": "bogus"}, {"e": encode("Order", 1)}, {"since": "2026-12-07T22:20:00"},
                      {"first": 0}, {"first": -5}):
        body = await gql(query, variables, as_=STAFF_ADMIN)
        assert codes(body) == ["BAD_USER_INPUT"] and body["data"] is None, variables
    body = await gql("""{ webhookDeliveryAttempts(deliveryId: "bogus") { ok } }""", as_=STAFF_ADMIN)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert (await gql(query, {"since": "2026-12-07T22:20:00Z", "first": 1}, as_=STAFF_ADMIN))["data"] is not None
