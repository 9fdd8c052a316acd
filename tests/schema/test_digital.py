"""Digital products: staff set up a variant's files and license, an order grants the purchase,
customers download through signed expiring links (counted, limited), and software activates,
validates and deactivates license keys over the public routes."""
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select, update

from db.enums import SubscriptionStatus
from db.models import (AuditEvent, DigitalFile, DigitalPurchase, DigitalVariant, DownloadEvent, LicenseActivation,
                       LicenseKey, Subscription, SubscriptionItem)
from domain.invoicing import MerchantSettings
from domain.subscriptions import renewals
from integrations.test_gateway import TestGateway
from server.settings import Settings
from tests.conftest import make_token
from tests.order_factories import STAFF_ADMIN, STAFF_SUPPORT, count, gid
from tests.ordering_support import (ADMIN, AP, APPROVER, BUYER, GLOBEX_BUYER, ORDER_PLACE, VIEWER, data, new_cart,
                                    plain)
from tests.subscription_renewal_support import monthly
from tests.support import codes

ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"setup/app.bin" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

SET_UP = """mutation($input: DigitalProductSetUpInput!) { digitalProductSetUp(input: $input) {
  digitalProduct { variantId downloadLimit licenseActivations licenseDays } userErrors { code field } } }"""
FILE_ADD = """mutation($input: DigitalFileAddInput!) { digitalFileAdd(input: $input) {
  file { id filename contentType sizeBytes } userErrors { code field } } }"""
PURCHASES = """{ digitalPurchases(first: 10) { totalCount nodes { id downloads downloadLimit order { number }
  files { url expiresAt file { filename contentType } } downloadHistory { createdAt fileId } } } }"""
KEYS = "{ licenseKeys(first: 10) { totalCount nodes { id suffix key status expiresAt maxActivations activations } } }"
DISABLE = """mutation($input: LicenseKeyInput!) { licenseKeyDisable(input: $input) {
  licenseKey { status } userErrors { code } } }"""


@pytest.fixture
def settings(db, tmp_path):
    return Settings(database_url=db.url, upload_dir=str(tmp_path / "uploads"))


async def _file_add(client, db, clock, who, variant_id, file):
    token = await make_token(db, who, clock.now())
    operations = json.dumps({"query": FILE_ADD, "variables": {"input": {"variantId": variant_id, "file": None}}})
    response = await client.post("/graphql", data={"operations": operations,
                                                   "map": json.dumps({"0": ["variables.input.file"]})},
                                 files={"0": file}, headers={"authorization": f"Bearer {token}"})
    return response.json()


async def _digital_variant(client, gql, db, clock, **limits):
    """A contract-priced variant made digital by staff, with one ZIP file."""
    v = await plain(db)
    variant_id = gid("ProductVariant", v.id)
    body = await gql(SET_UP, {"input": {"variantId": variant_id, **limits}}, as_=STAFF_ADMIN)
    assert body["data"]["digitalProductSetUp"]["userErrors"] == [], body
    body = await _file_add(client, db, clock, STAFF_ADMIN, variant_id, ("setup.zip", ZIP, "application/zip"))
    assert body["data"]["digitalFileAdd"]["userErrors"] == [], body
    return v, variant_id


async def _buy(gql, db, v, quantity=1):
    cart = await new_cart(gql, db, [{"sku": v.sku, "quantity": quantity}])
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": f"digital-{v.id}-{quantity}", "cartId": cart["id"]}},
                     as_=BUYER)
    order = data(body, "orderPlace")["order"]
    assert order["status"] == "OPEN", order
    return order


async def test_only_staff_admins_set_up_digital_products_and_bad_files_change_nothing(client, gql, db, clock,
                                                                                     settings, tmp_path):
    v = await plain(db)
    variant_id = gid("ProductVariant", v.id)
    before = await count(db, DigitalFile)  # the demo's installer
    for who in (ADMIN, STAFF_SUPPORT, BUYER):
        assert codes(await gql(SET_UP, {"input": {"variantId": variant_id, "downloadLimit": 3}}, as_=who)) == \
            ["FORBIDDEN"], who
        body = await _file_add(client, db, clock, who, variant_id, ("a.zip", ZIP, "application/zip"))
        assert codes(body) == ["FORBIDDEN"], who
    body = await gql(SET_UP, {"input": {"variantId": variant_id, "downloadLimit": 0}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["digitalProductSetUp"]["userErrors"]] == ["INVALID_LIMIT"]
    body = await _file_add(client, db, clock, STAFF_ADMIN, variant_id, ("a.zip", ZIP, "application/zip"))
    assert [e["code"] for e in body["data"]["digitalFileAdd"]["userErrors"]] == ["NOT_FOUND"]  # not set up
    await gql(SET_UP, {"input": {"variantId": variant_id}}, as_=STAFF_ADMIN)
    body = await _file_add(client, db, clock, STAFF_ADMIN, variant_id, ("../../bin/setup.zip", EXE, "application/zip"))
    assert [e["code"] for e in body["data"]["digitalFileAdd"]["userErrors"]] == ["FILE_TYPE_NOT_ALLOWED"]
    assert await count(db, DigitalFile) == before
    assert not (tmp_path / "uploads").exists() or not any(p.is_file() for p in (tmp_path / "uploads").rglob("*"))


async def test_an_order_grants_signed_downloads_that_expire_and_count_toward_the_limit(client, gql, db, clock,
                                                                                      settings):
    v, _ = await _digital_variant(client, gql, db, clock, downloadLimit=2)
    order = await _buy(gql, db, v)
    # Denied first: who does not order at Denver, and other accounts, see no purchase.
    for who in (VIEWER, AP, APPROVER, GLOBEX_BUYER):
        assert (await gql(PURCHASES, as_=who))["data"]["digitalPurchases"]["totalCount"] == 0, who
    for who in (ADMIN, STAFF_SUPPORT):
        assert (await gql(PURCHASES, as_=who))["data"]["digitalPurchases"]["totalCount"] == 1, who
    purchase = (await gql(PURCHASES, as_=BUYER))["data"]["digitalPurchases"]["nodes"][0]
    assert purchase["order"]["number"] == order["number"] and purchase["downloadLimit"] == 2
    link = purchase["files"][0]
    assert link["file"] == {"filename": "setup.zip", "contentType": "application/zip"}

    # A link changed in any part is refused and counts nothing; so is one made for someone else.
    parts = urlsplit(link["url"])
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    admin_link = (await gql(PURCHASES, as_=ADMIN))["data"]["digitalPurchases"]["nodes"][0]["files"][0]["url"]
    tampered = [f"{parts.path}?user={q['user']}&expires={int(q['expires']) + 3600}&signature={q['signature']}",
                f"{parts.path}?user={int(q['user']) + 1}&expires={q['expires']}&signature={q['signature']}",
                f"{parts.path}?user={q['user']}&expires={q['expires']}&signature={q['signature'][:-2]}AA",
                f"{parts.path}?user=x&expires=&signature=",
                parts.path.rsplit("/", 2)[0] + "/garbage/" + parts.path.rsplit("/", 1)[1] + "?" + parts.query]
    for url in tampered:
        response = await client.get(url)
        assert response.status_code == 404 and response.json()["errors"][0]["extensions"]["code"] in (
            "LINK_INVALID",), url

    first = await client.get(link["url"])  # no token: the link is the credential
    assert first.status_code == 200 and first.content == ZIP
    assert first.headers["content-disposition"].startswith('attachment; filename="setup.zip"')
    assert (await client.get(admin_link)).status_code == 200  # the ADMIN's own link
    third = await client.get(link["url"])
    assert third.status_code == 403 and third.json()["errors"][0]["extensions"]["code"] == "DOWNLOAD_LIMIT_REACHED"
    mine = (await gql(PURCHASES, as_=BUYER))["data"]["digitalPurchases"]["nodes"][0]
    assert mine["downloads"] == 2 and len(mine["downloadHistory"]) == 2

    clock.at = clock.now() + timedelta(minutes=16)
    expired = await client.get(link["url"])
    assert expired.status_code == 410 and expired.json()["errors"][0]["extensions"]["code"] == "LINK_EXPIRED"
    assert await count(db, DownloadEvent) == 2


async def test_a_member_who_left_cannot_use_a_link_made_before(client, gql, db, clock, settings):
    from db.models import Membership, MembershipRole, User  # noqa: PLC0415
    v, _ = await _digital_variant(client, gql, db, clock)
    await _buy(gql, db, v)
    url = (await gql(PURCHASES, as_=BUYER))["data"]["digitalPurchases"]["nodes"][0]["files"][0]["url"]
    async with db.transaction() as s:
        user = (await s.exec(select(User).where(User.email == BUYER))).one()
        member = (await s.exec(select(Membership).where(Membership.user_id == user.id))).one()
        for role in (await s.exec(select(MembershipRole).where(MembershipRole.membership_id == member.id))).all():
            await s.delete(role)
        await s.flush()
        await s.delete(member)
    assert (await client.get(url)).status_code == 404
    assert await count(db, DownloadEvent) == 0


async def _call(client, action, key, instance=None, ip="198.51.100.1"):
    body = {"key": key, **({"instance": instance} if instance is not None else {})}
    response = await client.post(f"/licenses/{action}", json=body, headers={"x-forwarded-for": ip})
    return response.status_code, response.json()


async def test_license_keys_activate_up_to_their_limit_and_answer_nothing_about_other_keys(client, gql, db, clock,
                                                                                         settings):
    v, _ = await _digital_variant(client, gql, db, clock, licenseActivations=1, licenseDays=365)
    await _buy(gql, db, v)
    # Who sees the key: the buyer and its ADMIN; the APPROVER sees the row without the key itself.
    for who in (VIEWER, AP, GLOBEX_BUYER):
        assert (await gql(KEYS, as_=who))["data"]["licenseKeys"]["totalCount"] == 0, who
    approver = await gql(KEYS, as_=APPROVER)
    assert approver["data"]["licenseKeys"]["nodes"][0]["key"] is None and codes(approver) == ["FORBIDDEN"]
    support = await gql(KEYS, as_=STAFF_SUPPORT)
    assert support["data"]["licenseKeys"]["nodes"][0]["key"] is None
    shown = (await gql(KEYS, as_=BUYER))["data"]["licenseKeys"]["nodes"][0]
    key = shown["key"]
    assert key.endswith(shown["suffix"]) and shown["status"] == "ACTIVE" and shown["maxActivations"] == 1
    assert shown["expiresAt"].startswith(str((clock.now() + timedelta(days=365)).date()))
    assert (await gql(KEYS, as_=ADMIN))["data"]["licenseKeys"]["nodes"][0]["key"] == key
    async with db.session() as s:
        row = (await s.exec(select(LicenseKey).where(LicenseKey.purchase_id.is_not(None)))).one()
    assert key not in (row.key_hash, row.key_sealed) and key.replace("-", "") not in row.key_sealed

    unknown = await _call(client, "validate", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE", "pc-1")
    assert unknown == (200, {"valid": False, "code": "KEY_INVALID"})
    status, body = await _call(client, "activate", key, "pc-1")
    assert status == 200 and body["valid"] and body["activations"] == 1 and body["maxActivations"] == 1
    assert (await _call(client, "activate", key.lower().replace("-", ""), "pc-1"))[1]["valid"]  # again: no change
    status, body = await _call(client, "activate", key, "pc-2")
    assert (status, body["valid"], body["code"]) == (200, False, "ACTIVATION_LIMIT")
    assert await count(db, LicenseActivation) == 1
    assert (await _call(client, "validate", key, "pc-1"))[1]["code"] == "VALID"
    assert (await _call(client, "validate", key, "pc-2"))[1]["code"] == "NOT_ACTIVATED"
    assert (await _call(client, "activate", key))[0] == 400  # no instance
    assert (await _call(client, "deactivate", key, "pc-1"))[1]["code"] == "VALID"
    assert (await _call(client, "activate", key, "pc-2"))[1]["valid"]
    shown = (await gql(KEYS, as_=BUYER))["data"]["licenseKeys"]["nodes"][0]
    assert shown["activations"] == 1

    # Disabled by staff (a customer may not): the same answer as an unknown key, and nothing changes.
    assert codes(await gql(DISABLE, {"input": {"id": shown["id"]}}, as_=ADMIN)) == ["FORBIDDEN"]
    out = await gql(DISABLE, {"input": {"id": shown["id"]}}, as_=STAFF_ADMIN)
    assert out["data"]["licenseKeyDisable"]["licenseKey"]["status"] == "DISABLED"
    for action in ("activate", "validate", "deactivate"):
        assert await _call(client, action, key, "pc-2") == unknown[:1] + (unknown[1],), action
    assert await count(db, LicenseActivation) == 1
    out = await gql("mutation($i: LicenseKeyInput!) { licenseKeyEnable(input: $i) { licenseKey { status } } }",
                    {"i": {"id": shown["id"]}}, as_=STAFF_ADMIN)
    assert out["data"]["licenseKeyEnable"]["licenseKey"]["status"] == "ACTIVE"
    assert (await _call(client, "validate", key, "pc-2"))[1]["code"] == "VALID"
    clock.at = clock.now() + timedelta(days=366)  # past its 365 days
    assert await _call(client, "validate", key, "pc-2") == unknown
    token = await make_token(db, BUYER, clock.now())
    later = await gql(KEYS, headers={"authorization": f"Bearer {token}"})
    assert later["data"]["licenseKeys"]["nodes"][0]["status"] == "EXPIRED"
    async with db.session() as s:
        actions = [e.action for e in (await s.exec(select(AuditEvent).where(AuditEvent.action.like("license.%"))))]
    assert actions == ["license.disable", "license.enable"]


async def test_license_checks_are_rate_limited_per_ip(client, db, settings):
    for i in range(60):
        assert (await _call(client, "validate", f"KEY-{i}", "pc"))[0] == 200
    status, body = await _call(client, "validate", "KEY-61", "pc")
    assert status == 429 and body == {"valid": False, "code": "THROTTLED"}


async def test_a_plans_license_key_is_granted_by_renewal_and_revoked_with_the_subscription(gql, db, clock):
    start = clock.now() - timedelta(days=31)
    sub = await monthly(db, start)
    async with db.transaction() as s:
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).one()
        s.add(DigitalVariant(variant_id=item.variant_id, license_activations=3))
    await renewals.run(db, TestGateway(), clock, MerchantSettings())
    await renewals.run(db, TestGateway(), clock, MerchantSettings())  # nothing more due: no second key
    async with db.session() as s:
        keys = (await s.exec(select(LicenseKey).where(LicenseKey.subscription_id == sub.id))).all()
        renewed = await s.get(Subscription, sub.id)
    assert len(keys) == 1 and keys[0].max_activations == 3 * item.quantity
    shown = (await gql(KEYS, as_=ADMIN))["data"]["licenseKeys"]["nodes"]
    assert [(k["status"], k["expiresAt"][:10]) for k in shown] == [("ACTIVE", str(renewed.current_period_end.date()))]
    async with db.transaction() as s:
        await s.exec(update(Subscription).where(Subscription.id == sub.id).values(status=SubscriptionStatus.CANCELLED))
    assert [k["status"] for k in (await gql(KEYS, as_=ADMIN))["data"]["licenseKeys"]["nodes"]] == ["REVOKED"]
    assert await count(db, DigitalPurchase) == 0


async def test_the_demo_license_key_is_kandas_and_validates(client, gql, db):
    from server.demo_data import DEMO_LICENSE_KEY  # noqa: PLC0415
    shown = (await gql(KEYS, as_="admin@kanda.example"))["data"]["licenseKeys"]["nodes"]
    assert [(k["key"], k["status"], k["maxActivations"]) for k in shown] == [(DEMO_LICENSE_KEY, "ACTIVE", 3)]
    for who in (ADMIN, BUYER):
        assert (await gql(KEYS, as_=who))["data"]["licenseKeys"]["totalCount"] == 0
    status, body = await _call(client, "validate", DEMO_LICENSE_KEY.lower())
    assert status == 200 and body["valid"] and body["activations"] == 0


async def test_purchase_and_key_pages_run_one_statement_per_relation(client, gql, db, clock, settings):
    v, _ = await _digital_variant(client, gql, db, clock, downloadLimit=3, licenseActivations=2)
    for quantity in (1, 2, 3):
        await _buy(gql, db, v, quantity)
    empty = await gql("{ digitalPurchases(first: 10, orderId: \"%s\") { nodes { id } } }" % gid("Order", 999999),
                      as_=BUYER)
    base = empty["_statements"] - 1  # the caller's session
    body = await gql(PURCHASES, as_=BUYER)
    nodes = body["data"]["digitalPurchases"]["nodes"]
    assert len(nodes) == 3 and all(len(n["files"]) == 1 for n in nodes)
    # page, count, orders, files, download history: one each, whatever the number of purchases.
    assert body["_statements"] == base + 5
    body = await gql("{ licenseKeys(first: 10) { nodes { suffix status expiresAt activations } } }", as_=BUYER)
    assert len(body["data"]["licenseKeys"]["nodes"]) == 3
    assert body["_statements"] == base + 2  # page, activations (no subscription keys to load)
