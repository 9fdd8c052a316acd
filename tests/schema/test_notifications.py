"""Notification preferences end to end: each person reads and changes only its own; the mail
sender honours them (legal and security mail always goes); every non-essential email carries a
one-click unsubscribe link that works without signing in, once, and changes that one preference;
the order, shipment, quote and return emails are queued with their change and delivered over SMTP
as text and HTML, in the recipient's language."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from db.engine import count_statements
from db.models import AuditEvent, NotificationPreference, OutboxMessage, UnsubscribeUse, User
from domain import mail
from domain.notifications import Category
from schema.limits import Limits
from server.settings import Settings
from tests.conftest import NOW
from tests.mailbox import body_of, html_in
from tests.order_factories import STAFF_ADMIN, open_order
from tests.ordering_support import (ADMIN, AP, APPROVER, BUYER, GLOBEX_BUYER, ORDER_PLACE, STAFF_SUPPORT, VIEWER,
                                    count, data, location_gid, new_cart, plain, ruled)
from tests.server.helpers import DEADLINE_SECONDS
from tests.server.test_oauth import register, token_for
from tests.support import codes, row

STAFF_INBOX = "sales@merchant.example"
PREFS = "{ viewer { email notificationPreferences { category enabled } } }"
UPDATE = """mutation($input: NotificationPreferencesUpdateInput!) { notificationPreferencesUpdate(input: $input) {
  preferences { category enabled } userErrors { code field message } } }"""
SIGN_IN_SUBJECT = "Your sign-in code: ABC234"
DEFAULTS = {c.value: c is not Category.MARKETING for c in Category}
QUOTE_REQUEST = """mutation($input: QuoteRequestInput!) { quoteRequest(input: $input) {
  quote { id number lines { id } } userErrors { code } } }"""
QUOTE_RESPOND = """mutation($input: QuoteRespondInput!) { quoteRespond(input: $input) { quote { status } userErrors { code } } }"""
SHIP = """mutation($input: FulfilmentCreateInput!) { fulfilmentCreate(input: $input) {
  fulfilment { id trackingUrl } userErrors { code } } }"""
EVENT = """mutation($input: FulfilmentEventAddInput!) { fulfilmentEventAdd(input: $input) {
  fulfilment { status } userErrors { code } } }"""
RETURN = """mutation($input: ReturnRequestInput!) { returnRequest(input: $input) { return { number } userErrors { code } } }"""


@pytest.fixture
def settings(db):  # type: ignore[no-untyped-def]
    s = Settings(database_url=db.url, limits=Limits(bucket_size=1_000_000, restore_rate=1_000_000,
                                                    timeout_seconds=DEADLINE_SECONDS))
    s.sessions.staff_notify_email = STAFF_INBOX
    return s


def prefs(payload_list: list[dict]) -> dict[str, bool]:
    return {p["category"]: p["enabled"] for p in payload_list}


async def mine(gql, who):  # type: ignore[no-untyped-def]
    return prefs((await gql(PREFS, as_=who))["data"]["viewer"]["notificationPreferences"])


async def update(gql, who, **choices):  # type: ignore[no-untyped-def]
    body = await gql(UPDATE, {"input": {"preferences": [{"category": c, "enabled": on} for c, on in choices.items()]}},
                     as_=who)
    return body


async def outbox(db, **where) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(OutboxMessage, k) == v)
        return list((await s.exec(stmt)).all())


async def place_order(gql, db, key="n-1"):  # type: ignore[no-untyped-def]
    cart = await new_cart(gql, db, [{"sku": (await plain(db)).sku, "quantity": 3}])
    payload = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": key, "cartId": cart["id"]}}, as_=BUYER),
                   "orderPlace")
    assert payload["userErrors"] == [] and payload["order"]["status"] == "OPEN"
    return payload["order"]


def unsubscribe_path(message) -> str:  # type: ignore[no-untyped-def]
    header = message["List-Unsubscribe"]
    assert header and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", message
    url = re.fullmatch(r"<(.+)>", header).group(1)  # type: ignore[union-attr]
    assert url.startswith("http://localhost:8000/unsubscribe/") and url in body_of(message)
    return urlsplit(url).path


async def test_each_person_reads_and_changes_only_its_own_preferences(gql, db, client):
    body = await update(gql, None, SHIPPING=False)
    assert codes(body) == ["UNAUTHENTICATED"]
    assert (await gql(PREFS))["data"]["viewer"] is None
    made = (await register(gql, db, ["account:read", "orders:read"]))["data"]["oauthClientCreate"]
    token = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
    body = await gql(UPDATE, {"input": {"preferences": [{"category": "SHIPPING", "enabled": False}]}},
                     headers={"authorization": f"Bearer {token}"})
    assert codes(body) == ["FORBIDDEN"]  # an integration has no preferences of anyone's to change
    # Bad input: a category named twice is a coded error, and nothing changes.
    body = await gql(UPDATE, {"input": {"preferences": [{"category": "SHIPPING", "enabled": False},
                                                         {"category": "SHIPPING", "enabled": True}]}}, as_=BUYER)
    assert body["data"]["notificationPreferencesUpdate"] == {
        "preferences": None, "userErrors": [{"code": "DUPLICATE_CATEGORY", "field": ["input", "preferences", "1", "category"],
                                             "message": "SHIPPING is named twice"}]}
    assert await count(db, NotificationPreference) == 2  # the demo's: below
    everyone = (BUYER, VIEWER, AP, ADMIN, APPROVER, STAFF_SUPPORT, STAFF_ADMIN, GLOBEX_BUYER)
    chosen = {VIEWER: {"SHIPPING": False}, GLOBEX_BUYER: {"MARKETING": True}}
    for who in everyone:
        assert await mine(gql, who) == DEFAULTS | chosen.get(who, {}), who
    for who in everyone:  # every role, staff too, for itself
        body = await update(gql, who, SHIPPING=False, MARKETING=True)
        assert prefs(body["data"]["notificationPreferencesUpdate"]["preferences"]) == \
            DEFAULTS | {"SHIPPING": False, "MARKETING": True}, who
    body = await update(gql, BUYER, SHIPPING=True)
    assert prefs(body["data"]["notificationPreferencesUpdate"]["preferences"]) == DEFAULTS | {"MARKETING": True}
    assert await mine(gql, VIEWER) == DEFAULTS | {"SHIPPING": False, "MARKETING": True}  # the buyer's change is its own
    async with db.session() as s:
        events = (await s.exec(select(AuditEvent).where(AuditEvent.action == "notifications.update"))).all()
    assert len(events) == len(everyone) + 1 and events[-1].data["changes"] == {"SHIPPING": True}


async def test_the_sender_skips_turned_off_mail_but_always_sends_security_mail(gql, db, clock, deliver, smtp):
    assert (await update(gql, BUYER, ORDER_CONFIRMATION=False))["data"]["notificationPreferencesUpdate"]["userErrors"] == []
    order = await place_order(gql, db)
    async with db.transaction() as s:  # security mail, and an order email to an address that is no one's
        mail.enqueue(s, to=BUYER, template="magic_link", now=clock.now(), name="Bob", link="https://x/?token=pqm_1",
                     code="ABC234")
        mail.enqueue(s, to="gone@acme.example", template="order_delivered", now=clock.now(), name="-", number="1",
                     po_number="-", carrier="UPS", tracking_number="-", delivered_on="-")
    [placed] = await outbox(db, template="order_placed")  # queued with the order, decided when sent
    assert placed.to_address == BUYER and placed.params["number"] == order["number"]
    result = await deliver()
    assert (result.sent, result.skipped) == (2, 2)  # the magic link and AP's invoice; not the two others
    assert [m["Subject"] for m in smtp.to(BUYER)] == [SIGN_IN_SUBJECT]
    assert smtp.last(BUYER)["List-Unsubscribe"] is None  # essential: no way to turn it off
    assert smtp.to("gone@acme.example") == []
    [skipped] = await outbox(db, template="order_placed")
    assert skipped.status == "SKIPPED" and skipped.last_error == "ORDER_CONFIRMATION turned off by the recipient"
    [gone] = await outbox(db, to_address="gone@acme.example")
    assert gone.status == "SKIPPED" and gone.last_error == "no user has this address"
    assert (await deliver()).skipped == 0  # decided once


async def test_every_kind_of_email_is_queued_with_its_change_and_delivered_as_text_and_html(gql, db, clock, deliver, smtp):
    # Quote requested: to the merchant's staff address (essential: the setting is its on/off).
    body = await gql(QUOTE_REQUEST, {"input": {"locationId": await location_gid(db, "Denver Plant"),
                                               "lines": [{"sku": (await ruled(db)).sku, "quantity": 600}],
                                               "note": "Annual <volume> & more"}}, as_=BUYER)
    quote = data(body, "quoteRequest")["quote"]
    [requested] = await outbox(db, template="quote_requested")
    assert requested.to_address == STAFF_INBOX and requested.params["number"] == quote["number"]
    # Quote ready: to the buyer who asked.
    body = await gql(QUOTE_RESPOND, {"input": {"quoteId": quote["id"], "expiresAt": (NOW + timedelta(days=14)).isoformat(),
                                               "lines": [{"lineId": x["id"], "unitPrice": "18.50"} for x in quote["lines"]]}},
                     as_=STAFF_ADMIN)
    assert data(body, "quoteRespond")["userErrors"] == []
    # Order placed, with its lines and totals.
    order = await place_order(gql, db)
    [placed] = await outbox(db, template="order_placed")
    assert placed.params["total"].startswith("$")
    assert placed.params["lines"].startswith("3 × ") and placed.params["location"] == "Denver Plant"
    # Shipped (carrier, tracking link), then delivered once although the carrier reports it twice.
    lines = [{"orderLineId": ln["id"], "quantity": 3} for ln in order["lines"]]
    body = await gql(SHIP, {"input": {"orderId": order["id"], "carrier": "UPS", "trackingNumber": "1Z999AA10123456784",
                                      "lines": lines}}, as_=STAFF_ADMIN)
    fulfilment = data(body, "fulfilmentCreate")["fulfilment"]
    for _ in range(2):
        body = await gql(EVENT, {"input": {"fulfilmentId": fulfilment["id"], "status": "DELIVERED"}}, as_=STAFF_ADMIN)
        assert data(body, "fulfilmentEventAdd")["fulfilment"]["status"] == "DELIVERED"
    assert len(await outbox(db, template="order_shipped")) == 1 and len(await outbox(db, template="order_delivered")) == 1
    # A return's status change.
    body = await gql(RETURN, {"input": {"orderId": order["id"], "reason": "DAMAGED",
                                        "lines": [{"orderLineId": order["lines"][0]["id"], "quantity": 1}]}}, as_=BUYER)
    assert data(body, "returnRequest")["userErrors"] == []

    result = await deliver()
    assert result.failed == 0 and result.skipped == 0
    by_kind = {}
    for template, to, subject in (
            ("quote_requested", STAFF_INBOX, f"Quote {quote['number']} requested by Acme Industrial"),
            ("quote_ready", BUYER, f"Your quote {quote['number']} is ready"),
            ("order_placed", BUYER, f"Order {order['number']} received: ${order['total']['amount']}"),
            ("order_shipped", BUYER, f"Order {order['number']} has shipped with UPS"),
            ("order_delivered", BUYER, f"Order {order['number']} was delivered"),
            ("return_requested", BUYER, None)):
        [queued] = await outbox(db, template=template)
        assert queued.status == "SENT", template
        matches = [m for m in smtp.to(to) if subject is None or m["Subject"].strip() == subject]
        assert matches, (template, [m["Subject"] for m in smtp.to(to)])
        by_kind[template] = message = matches[-1]
        assert message.get_content_type() == "multipart/alternative", template
        first_line = body_of(message).strip().splitlines()[0]
        assert "<p>" in html_in(message) and first_line.split(" ")[0] in html_in(message), template
    # Order and quote mail goes to the buyer who placed or asked, not to others of the account
    # (accounts payable gets the invoice only), nor staff but at the staff address.
    assert [m["Subject"].split()[0] for m in smtp.to(AP)] == ["Invoice"]
    assert smtp.to(ADMIN) == smtp.to(APPROVER) == smtp.to(VIEWER) == smtp.to(STAFF_ADMIN) == []
    assert {m["To"] for m in smtp.messages} == {BUYER, AP, STAFF_INBOX}
    # Essential ones carry no unsubscribe link; the others do, each its own.
    for template in ("quote_requested", "return_requested"):
        assert by_kind[template]["List-Unsubscribe"] is None, template
    paths = {unsubscribe_path(by_kind[t]) for t in ("quote_ready", "order_placed", "order_shipped", "order_delivered")}
    assert len(paths) == 4
    # Written as one unfolded line, as mail clients read it (not as RFC 2047 encoded words).
    assert all(f"\r\nList-Unsubscribe: <http://localhost:8000{p}>\r\n".encode() in b"".join(smtp.raw) for p in paths)
    # The contents: lines and totals, the tracking link (a link in the HTML too), the customer's note escaped.
    placed_text = body_of(by_kind["order_placed"])
    assert "3 × " in placed_text and "Subtotal: $" in placed_text and "Total: $" in placed_text
    tracking = "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert f"Track the parcel: {tracking}" in body_of(by_kind["order_shipped"])
    assert f'<a href="{tracking}">' in html_in(by_kind["order_shipped"])
    assert "Annual &lt;volume&gt; &amp; more" in html_in(by_kind["quote_requested"])
    assert "Annual <volume> & more" in body_of(by_kind["quote_requested"])


async def test_german_customers_get_german_shipping_mail(gql, db, deliver, smtp):
    greta = await row(db, User, email=GLOBEX_BUYER)
    order, lines = await open_order(db, "Berlin Zentrale", placed_by=greta.id)
    from resolvers.globalid import encode  # noqa: PLC0415
    body = await gql(SHIP, {"input": {"orderId": encode("Order", order.id), "carrier": "DHL_PAKET",
                                      "trackingNumber": "00340434161094042557",
                                      "estimatedDeliveryAt": (NOW + timedelta(days=2)).isoformat(),
                                      "lines": [{"orderLineId": encode("OrderLine", ln.id), "quantity": 1} for ln in lines]}},
                     as_=STAFF_ADMIN)
    assert data(body, "fulfilmentCreate")["userErrors"] == []
    [queued] = await outbox(db, template="order_shipped")
    assert queued.locale == "de" and queued.params["estimated_delivery"] == "17. Juni 2026"
    await deliver()
    received = smtp.last(GLOBEX_BUYER)
    assert received["Subject"] == f"Bestellung {order.number} ist mit DHL Paket unterwegs"
    text = body_of(received)
    assert "Sendung verfolgen: https://www.dhl.de/" in text and "Versand und Zustellung" in text  # the footer too
    assert 'lang="de"' in html_in(received)


async def test_one_click_unsubscribe_changes_that_one_preference_once(gql, db, client, deliver, smtp):
    await place_order(gql, db)
    await deliver()
    path = unsubscribe_path(smtp.last(BUYER))
    token = path.rsplit("/", 1)[1]
    user = await row(db, User, email=BUYER)
    # Forged: another category, another user, a changed signature. Coded errors, nothing changed.
    for forged in (token.replace("ORDER_CONFIRMATION", "INVOICES"), token.replace(f"{user.id}.", f"{user.id + 1}.", 1),
                   token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
        for method in (client.get, client.post):
            response = await method(f"/unsubscribe/{forged}")
            assert response.status_code == 400 and 'data-code="INVALID_TOKEN"' in response.text, forged
    assert await mine(gql, BUYER) == DEFAULTS and await count(db, UnsubscribeUse) == 0
    # A click shows the confirmation page; a link-checking scanner following it changes nothing.
    page = await client.get(path)
    assert page.status_code == 200 and '<form method="post">' in page.text and BUYER in page.text
    assert page.headers["cache-control"] == "no-store" and await mine(gql, BUYER) == DEFAULTS
    # The mail client's RFC 8058 POST, without any sign-in.
    done = await client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no longer receives order confirmations" in done.text
    assert await mine(gql, BUYER) == DEFAULTS | {"ORDER_CONFIRMATION": False}
    # Used again: a coded error; the person turned it back on meanwhile, and it stays on.
    await update(gql, BUYER, ORDER_CONFIRMATION=True)
    for method in (client.post, client.get):
        again = await method(path, data={"List-Unsubscribe": "One-Click"}) if method is client.post else await method(path)
        assert again.status_code == 409 and 'data-code="USED_TOKEN"' in again.text
    assert await mine(gql, BUYER) == DEFAULTS
    async with db.session() as s:
        [event] = (await s.exec(select(AuditEvent).where(AuditEvent.action == "notifications.unsubscribe"))).all()
    assert event.actor_user_id == user.id and event.data["category"] == "ORDER_CONFIRMATION"


async def test_unsubscribe_links_are_rate_limited(client):
    for _ in range(5):
        assert (await client.get("/unsubscribe/1.SHIPPING.1.x")).status_code == 400
    assert (await client.get("/unsubscribe/1.SHIPPING.1.x")).status_code == 429


async def test_reading_preferences_and_sending_a_batch_cost_fixed_statements(gql, db, clock, deliver):
    assert (await gql(PREFS, as_=BUYER))["_statements"] == (await gql(PREFS, as_=VIEWER))["_statements"] == 2
    # The due messages, their recipients, the recipients' choices, then the ORM's UPDATEs of the
    # messages (one per set of columns changed: those sent, those skipped), however many there are.
    for n, statements in ((1, 4), (6, 8)):
        async with db.transaction() as s:
            for i in range(n):
                mail.enqueue(s, to=(BUYER, VIEWER, AP)[i % 3], template="order_delivered", now=clock.now(), name="-",
                             number=str(i), po_number="-", carrier="UPS", tracking_number="-", delivered_on="-")
        with count_statements() as counter:
            result = await deliver()
        assert result.sent + result.skipped == n
        assert result.skipped == n // 3  # the demo viewer turned shipping mail off
        assert counter.count == statements, (n, counter.count)


async def test_a_refused_change_queues_no_mail(gql, db):
    order = await place_order(gql, db)
    before = len(await outbox(db))
    body = await gql(SHIP, {"input": {"orderId": order["id"], "carrier": "UPS",
                                      "lines": [{"orderLineId": order["lines"][0]["id"], "quantity": 99}]}}, as_=STAFF_ADMIN)
    assert data(body, "fulfilmentCreate")["userErrors"] == [{"code": "QUANTITY_EXCEEDS_REMAINING"}]
    assert len(await outbox(db)) == before
