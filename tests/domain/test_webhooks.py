"""Webhooks end to end in one process, against a real HTTP receiver on loopback: events written
with the change (and not without it), signed as Standard Webhooks specifies, retried, ordered per
object, and an endpoint that answers 410 disabled with a mail to the merchant."""
import asyncio
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from db.models import Order, OutboxMessage, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from domain import audit
from domain.audit import Actor
from domain.clock import FixedClock
from domain.errors import Rejected
from domain.webhooks import catalogue, delivery, endpoints, signing
from domain.webhooks.endpoints import EndpointAsk, WebhookErrorCode as E
from domain.webhooks.settings import WebhookSettings
from i18n.mail import render
from integrations.webhook_http import HttpSender
from tests.conftest import NOW
from tests.webhook_receiver import Receiver

DEV = WebhookSettings(timeout_seconds=1.5, notify_email="ops@merchant.test")
STAFF = Actor("STAFF", None)


def test_the_specifications_test_vector():
    secret, msg_id, stamp, body, signature = signing.SPEC_EXAMPLE
    assert signing.sign(secret, msg_id, stamp, body) == signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
               "webhook-signature": "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
    assert signing.verify(secret, headers, body, now=1614265330 + 10)
    assert not signing.verify(secret, headers, body, now=1614265330 + 301)  # outside the replay window
    assert not signing.verify(secret, headers, body + b" ", now=1614265330)


def test_every_change_names_a_catalogued_event():
    catalogue.check()


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


async def first_order(db) -> Order:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return (await s.exec(select(Order).order_by(Order.id))).first()


async def change(db, order_id: int, action: str = "order.cancel", fail: bool = False) -> None:  # type: ignore[no-untyped-def]
    """An audited change of an order, as a mutation records it."""
    try:
        async with db.transaction() as s:
            audit.record(s, STAFF, action, NOW, target_type="Order", target_id=order_id)
            if fail:
                raise RuntimeError("rolled back")
    except RuntimeError:
        pass


async def register(db, url: str, types: list[str], settings: WebhookSettings = DEV):  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        return await endpoints.register(s, EndpointAsk(url, types), None, None, NOW, settings)


async def rows(db, model):  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return list((await s.exec(select(model).order_by(model.id))).all())


async def test_an_event_is_written_with_its_change_and_not_without(db):
    order = await first_order(db)
    await change(db, order.id, fail=True)
    assert await rows(db, WebhookEvent) == []
    await change(db, order.id)
    [event] = await rows(db, WebhookEvent)
    assert (event.type, event.object_type, event.object_id, event.account_id) == \
        ("order.cancelled", "Order", order.id, order.account_id)
    assert event.payload["number"] == order.number and event.payload["status"] == order.status.value
    assert event.uid.startswith("msg_")
    body = json.loads(delivery.body_of(event))
    assert body["data"]["version"] == event.id and body["data"]["object"] == "Order"
    assert "secret" not in json.dumps(body).lower()


async def test_bad_input_is_a_coded_error_and_nothing_is_registered(db):
    before = await rows(db, WebhookEndpoint)  # the demo's example, disabled
    for url, code in (("ftp://example.com/x", E.INVALID_URL), ("http://example.com/x", E.INVALID_URL),
                      ("https://user:pw@example.com/x", E.INVALID_URL), ("not a url", E.INVALID_URL)):
        with pytest.raises(Rejected) as e:
            await register(db, url, ["order.placed"])
        assert e.value.code is code, url
    with pytest.raises(Rejected) as e:
        await register(db, "https://example.com/x", ["order.placed", "order.exploded"])
    assert e.value.code is E.UNKNOWN_EVENT_TYPE and e.value.problems[0].field == ("input", "eventTypes", "1")
    with pytest.raises(Rejected) as e:  # production: loopback is refused (SSRF)
        await register(db, "https://127.0.0.1/x", ["order.placed"], WebhookSettings(production=True))
    assert e.value.code is E.URL_NOT_ALLOWED
    with pytest.raises(Rejected) as e:
        await register(db, "https://localhost/x", ["order.placed"], WebhookSettings(production=True))
    assert e.value.code is E.URL_NOT_ALLOWED
    with pytest.raises(Rejected) as e:
        async with db.transaction() as s:
            await endpoints.register(s, EndpointAsk("https://example.com/x", ["order.placed"]), 1, None, NOW, DEV,
                                     by_account=True)
    assert e.value.code is E.ACCOUNT_ENDPOINTS_OFF
    assert await rows(db, WebhookEndpoint) == before


async def test_deliveries_are_signed_retried_and_kept_in_order(db, receiver):
    answers = {"/hook": ["500", "200", "200", "200"]}
    receiver.behaviour = lambda path: answers[path].pop(0) if answers.get(path) else "200"
    endpoint, secret = await register(db, receiver.url("/hook"), ["order.cancelled", "order.changed"])
    other, _ = await register(db, receiver.url("/other"), ["order.cancelled"])
    order = await first_order(db)
    await change(db, order.id, "order.cancel")
    await change(db, order.id, "order.update")
    clock, sender = FixedClock(NOW), HttpSender()
    try:
        passed = await delivery.run(db, sender, clock, DEV)
        # /hook: the first event failed (500) so the second waits; /other got its one.
        assert (passed.fanned_out, passed.delivered, passed.failed) == (2, 1, 1)
        assert await delivery.run(db, sender, clock, DEV) == delivery.Passed()  # nothing due yet
        clock.at += timedelta(seconds=5)  # the first retry of the schedule
        passed = await delivery.run(db, sender, clock, DEV)
        assert passed.delivered == 1  # the retry; the later event is due but waited for it
        passed = await delivery.run(db, sender, clock, DEV)
        assert passed.delivered == 1
    finally:
        await sender.close()
    hook = [r for r in receiver.got if r.path == "/hook"]
    assert [json.loads(r.body)["type"] for r in hook] == ["order.cancelled", "order.cancelled", "order.changed"]
    assert hook[0].headers["webhook-id"] == hook[1].headers["webhook-id"]  # a retry keeps its id
    for r in hook:
        assert signing.verify(secret, r.headers, r.body, now=int(r.headers["webhook-timestamp"]))
    attempts = await rows(db, WebhookAttempt)
    assert [a.status_code for a in attempts] == [500, 200, 200, 200] or sorted(a.status_code for a in attempts) == [200, 200, 200, 500]
    assert all(a.response_head == '{"ok":true}' for a in attempts)
    assert {d.status for d in await rows(db, WebhookDelivery)} == {"DELIVERED"}


async def test_a_hanging_huge_or_closing_endpoint_fails_alone_and_is_retried(db, receiver):
    receiver.behaviour = lambda path: path.strip("/")
    made = {how: await register(db, receiver.url(f"/{how}"), ["order.cancelled"])
            for how in ("hang", "huge", "close", "redirect", "200")}
    await change(db, (await first_order(db)).id)
    sender = HttpSender()
    try:
        passed = await delivery.run(db, sender, FixedClock(NOW), DEV)
    finally:
        await sender.close()
    assert (passed.delivered, passed.failed) == (2, 3)  # a 2xx with a huge body is delivered: 64 KiB read
    by_endpoint = {d.endpoint_id: d for d in await rows(db, WebhookDelivery)}
    status = {how: by_endpoint[e.id] for how, (e, _) in made.items()}
    assert status["200"].status == status["huge"].status == "DELIVERED"
    for how in ("hang", "close", "redirect"):
        d = status[how]
        assert d.status == "PENDING" and d.attempts == 1 and d.next_attempt_at == NOW + timedelta(seconds=5), how
    assert "timeout" in status["hang"].last_error
    assert status["redirect"].last_status_code == 302  # not followed
    heads = {a.delivery_id: a for a in await rows(db, WebhookAttempt)}
    assert len(heads[status["huge"].id].response_head) <= 500


async def test_410_disables_the_endpoint_and_mails_the_merchant(db, receiver):
    receiver.behaviour = lambda path: "410"
    endpoint, _ = await register(db, receiver.url(), ["order.cancelled"])
    await change(db, (await first_order(db)).id)
    sender = HttpSender()
    try:
        await delivery.run(db, sender, FixedClock(NOW), DEV)
    finally:
        await sender.close()
    async with db.session() as s:
        ep = await s.get(WebhookEndpoint, endpoint.id)
    assert (ep.enabled, ep.disabled_reason) == (False, "GONE")
    mails = [m for m in await rows(db, OutboxMessage) if m.template == "webhook_endpoint_disabled"]
    assert [m.to_address for m in mails] == ["ops@merchant.test"]
    for locale in ("en", "de"):
        rendered = render(mails[0].template, locale, mails[0].params)
        assert receiver.url() in rendered.subject and "GONE" in rendered.body


async def test_an_address_that_turned_private_is_refused_at_delivery(db, receiver):
    endpoint, _ = await register(db, receiver.url(), ["order.cancelled"])
    await change(db, (await first_order(db)).id)
    sender = HttpSender()
    try:  # registered in development, delivered by a production worker: 127.0.0.1 is not public
        await delivery.run(db, sender, FixedClock(NOW), WebhookSettings(production=True))
    finally:
        await sender.close()
    assert receiver.got == []
    [d] = await rows(db, WebhookDelivery)
    assert d.status == "PENDING" and d.last_error.startswith("blocked")


async def test_rotation_signs_with_both_secrets_for_a_day(db, receiver):
    endpoint, old = await register(db, receiver.url(), ["order.cancelled"])
    async with db.transaction() as s:
        ep = await endpoints.locked(s, endpoint.id)
        new = endpoints.rotate(s, ep, NOW)
    async with db.session() as s:
        ep = await s.get(WebhookEndpoint, endpoint.id)
    assert delivery.signing_secrets(ep, NOW + timedelta(hours=23)) == [new, old]
    assert delivery.signing_secrets(ep, NOW + timedelta(hours=25)) == [new]
    # A second rotation within the day keeps the first secret's overlap: a receiver still on it
    # verifies until its own day is over.
    async with db.transaction() as s:
        ep = await endpoints.locked(s, endpoint.id)
        newest = endpoints.rotate(s, ep, NOW + timedelta(hours=2))
    async with db.session() as s:
        ep = await s.get(WebhookEndpoint, endpoint.id)
    assert delivery.signing_secrets(ep, NOW + timedelta(hours=23)) == [newest, old, new]
    assert delivery.signing_secrets(ep, NOW + timedelta(hours=25)) == [newest, new]
    assert delivery.signing_secrets(ep, NOW + timedelta(hours=27)) == [newest]


async def test_the_workers_renewals_write_their_events(db, clock):
    from domain.invoicing import MerchantSettings  # noqa: PLC0415
    from domain.subscriptions import renewals  # noqa: PLC0415
    from integrations.test_gateway import TestGateway  # noqa: PLC0415
    from tests.subscription_renewal_support import DECLINE, card, monthly  # noqa: PLC0415

    sub = await monthly(db, clock.now())
    good = await card(db, sub.account_id, DECLINE)
    clock.at = sub.current_period_end
    await renewals.run(db, TestGateway(), clock, MerchantSettings())
    await card(db, sub.account_id, good)
    clock.advance(days=1)
    await renewals.run(db, TestGateway(), clock, MerchantSettings())
    events = [(e.type, e.object_type) for e in await rows(db, WebhookEvent)]
    assert ("subscription.renewed", "Subscription") in events and ("invoice.issued", "Invoice") in events
    assert ("payment.failed", "Invoice") in events
    assert events.index(("payment.failed", "Invoice")) < events.index(("invoice.paid", "Invoice"))


async def test_an_accounts_endpoint_gets_only_its_accounts_events_of_its_types(db):
    async with db.session() as s:
        orders = list((await s.exec(select(Order).order_by(Order.id))).all())
    mine = orders[0]
    other = next(o for o in orders if o.account_id != mine.account_id)
    async with db.transaction() as s:
        own, _ = await endpoints.register(s, EndpointAsk("https://a.example.com/", ["order.cancelled"]),
                                          mine.account_id, None, NOW, DEV)
        everything, _ = await endpoints.register(s, EndpointAsk("https://m.example.com/", ["order.cancelled"]),
                                                 None, None, NOW, DEV)
        other_type, _ = await endpoints.register(s, EndpointAsk("https://t.example.com/", ["order.placed"]),
                                                 None, None, NOW, DEV)
    await change(db, mine.id)
    await change(db, other.id)
    assert await delivery.fan_out(db, NOW) == 2
    assert await delivery.fan_out(db, NOW) == 0  # fanned out once
    got = {(d.endpoint_id, d.object_key) for d in await rows(db, WebhookDelivery)}
    assert got == {(own.id, f"Order:{mine.id}"), (everything.id, f"Order:{mine.id}"),
                   (everything.id, f"Order:{other.id}")}
    assert other_type.id not in {e for e, _ in got}


async def test_an_endpoint_failing_for_days_is_disabled(db, receiver):
    receiver.behaviour = lambda path: "503"
    endpoint, _ = await register(db, receiver.url(), ["order.cancelled"])
    async with db.transaction() as s:
        ep = await endpoints.locked(s, endpoint.id)
        ep.failing_since = NOW - timedelta(days=4, hours=23)
        s.add(ep)
    await change(db, (await first_order(db)).id)
    clock, sender = FixedClock(NOW), HttpSender()
    try:
        await delivery.run(db, sender, clock, DEV)
        async with db.session() as s:
            assert (await s.get(WebhookEndpoint, endpoint.id)).enabled  # 4 days 23 hours: not yet
        clock.at += timedelta(hours=2)
        await delivery.run(db, sender, clock, DEV)
    finally:
        await sender.close()
    async with db.session() as s:
        ep = await s.get(WebhookEndpoint, endpoint.id)
    assert (ep.enabled, ep.disabled_reason) == (False, "FAILING")
    [d] = await rows(db, WebhookDelivery)
    assert d.status == "PENDING" and d.attempts == 2  # kept for when it is enabled again
    assert [m.params["reason"] for m in await rows(db, OutboxMessage)
            if m.template == "webhook_endpoint_disabled"] == ["FAILING"]


async def test_deliveries_in_flight_per_endpoint_are_bounded(db):
    async with db.session() as s:
        orders = list((await s.exec(select(Order).order_by(Order.id).limit(5))).all())
    endpoint, _ = await register(db, "https://a.example.com/", ["order.cancelled"])
    for order in orders:
        await change(db, order.id)
    await delivery.fan_out(db, NOW)
    two = WebhookSettings(per_endpoint=2)
    assert len(await delivery.claim_due(db, NOW, two, room=10)) == 2
    assert await delivery.claim_due(db, NOW, two, room=10) == []  # two in flight: no room for a third
    assert len(await delivery.claim_due(db, NOW + timedelta(minutes=5), two, room=10)) == 2  # their claims ran out


async def test_a_hanging_endpoint_holds_only_its_own_slots(db, receiver):
    receiver.behaviour = lambda path: "hang" if path == "/slow" else "200"
    await register(db, receiver.url("/slow"), ["order.cancelled", "order.changed"])
    await register(db, receiver.url("/fast"), ["order.cancelled", "order.changed"])
    order = await first_order(db)
    sender = HttpSender()
    dispatcher = delivery.Dispatcher(db, sender, FixedClock(NOW), WebhookSettings(timeout_seconds=10))
    try:
        await change(db, order.id, "order.cancel")
        await dispatcher.step()
        await change(db, order.id, "order.update")  # a second event while /slow still hangs on the first
        for _ in range(100):
            await asyncio.sleep(0.05)
            await dispatcher.step()
            fast = [r for r in receiver.got if r.path == "/fast"]
            if len(fast) == 2:
                break
        assert [json.loads(r.body)["type"] for r in fast] == ["order.cancelled", "order.changed"]
        assert [r.path for r in receiver.got].count("/slow") == 1  # still on its first, in order
    finally:
        for task in list(dispatcher.running):
            task.cancel()
        await asyncio.gather(*dispatcher.running, return_exceptions=True)
        await sender.close()


def test_which_addresses_are_public():
    from domain.webhooks import address  # noqa: PLC0415

    for private in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.5", "169.254.169.254", "::1", "fe80::1",
                    "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1", "224.0.0.1",
                    # IPv4 inside IPv6: NAT64 (10.0.0.1, and the local-use prefix), 6to4 (192.168.0.1)
                    "64:ff9b::a00:1", "64:ff9b:1::5db8:d822", "2002:c0a8:1::1"):
        assert not address.is_public(private), private
    for public in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34",
                   "64:ff9b::5db8:d822"):
        assert address.is_public(public), public
    with pytest.raises(address.NotAllowed):
        address.parse("https://[::1", production=True)
    assert address.parse("https://hooks.example.com:8443/in?x=1", production=True) == \
        address.Target("https", "hooks.example.com", 8443, "/in?x=1")


async def test_a_subscriptions_history_entries_are_its_events(db):
    from db.models import Subscription  # noqa: PLC0415
    from domain.subscriptions.plans import EventKind, event  # noqa: PLC0415

    async with db.session() as s:
        sub = (await s.exec(select(Subscription).order_by(Subscription.id))).first()
    for kind in (EventKind.PAUSED, EventKind.RESUMED, EventKind.ITEM_CHANGED, EventKind.CANCELLED):
        async with db.transaction() as s:
            event(s, await s.get(Subscription, sub.id), kind, NOW, None)
    assert [(e.type, e.object_id, e.account_id) for e in await rows(db, WebhookEvent)] == [
        (name, sub.id, sub.account_id) for name in ("subscription.paused", "subscription.resumed",
                                                    "subscription.changed", "subscription.cancelled")]


async def test_finished_events_are_forgotten_after_35_days_pending_ones_kept(db, receiver):
    receiver.behaviour = lambda path: "200" if path == "/ok" else "500"
    await register(db, receiver.url("/ok"), ["order.cancelled"])
    await register(db, receiver.url("/down"), ["order.changed"])
    order = await first_order(db)
    await change(db, order.id, "order.cancel")
    await change(db, order.id, "order.update")
    sender = HttpSender()
    try:
        await delivery.run(db, sender, FixedClock(NOW), DEV)
    finally:
        await sender.close()
    assert await delivery.prune(db, NOW + timedelta(days=34)) == 0
    assert await delivery.prune(db, NOW + timedelta(days=36)) == 1  # the delivered one; the other is retrying
    assert [e.type for e in await rows(db, WebhookEvent)] == ["order.changed"]
    assert [d.status for d in await rows(db, WebhookDelivery)] == ["PENDING"]
    assert len(await rows(db, WebhookAttempt)) == 1
