"""Plan changes through the API: only an ADMIN changes a plan; the preview's lines are the invoice's
lines, cent for cent, at the instant it quoted; an upgrade is paid at once and applied only if the
card is charged; a second upgrade prorates the price the first one charged for; a downgrade waits
for the period end and can be cancelled; bad input changes nothing."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import func, select, update

from db.enums import SubscriptionStatus
from db.models import (Invoice, InvoiceLine, Payment, PaymentMethod, ProductVariant, Subscription, SubscriptionEvent,
                       SubscriptionItem)
from resolvers.globalid import encode
from tests.support import codes

ADMIN, AP, BUYER, VIEWER, APPROVER = ("admin@acme.example", "ap@acme.example", "buyer@acme.example",
                                      "viewer@acme.example", "approver@acme.example")
GLOBEX, OPS = "admin@globex.example", "ops@merchant.example"

CHANGE_FIELDS = """timing effectiveAt proratesAt secondsLeft secondsInPeriod noCharge
  lines { description amount { amount currencyCode } taxPercent taxAmount { amount } }
  subtotal { amount } tax { amount } total { amount } periodAmountBefore { amount } periodAmountAfter { amount }"""
PREVIEW = f"""query($id: ID!, $variant: ID!, $quantity: Int, $at: DateTime) {{ node(id: $id) {{
  ... on Subscription {{ changePlanPreview(variantId: $variant, quantity: $quantity, prorationDate: $at) {{
    change {{ {CHANGE_FIELDS} }} userErrors {{ code field message }} }} }} }} }}"""
CHANGE = f"""mutation($input: SubscriptionChangePlanInput!) {{ subscriptionChangePlan(input: $input) {{
  subscription {{ id status nextInvoiceAmount {{ amount }} items {{ quantity pendingQuantity
    variant {{ id }} pendingVariant {{ id }} unitPrice {{ amount }} }} }}
  change {{ {CHANGE_FIELDS} }}
  invoice {{ number status total {{ amount }} amountDue {{ amount }} lines {{ description amount {{ amount }} }} }}
  userErrors {{ code field message }} }} }}"""
CANCEL_PENDING = """mutation($input: SubscriptionIdInput!) { subscriptionCancelPendingChange(input: $input) {
  subscription { items { pendingVariant { id } } } userErrors { code field } } }"""
SHOW = """query($id: ID!) { node(id: $id) { ... on Subscription { status nextBillingAt currentPeriodEnd
  cancelAtPeriodEnd nextInvoiceAmount { amount } history { kind invoiceId details } } } }"""


async def _plan(db, currency: str = "USD") -> tuple[Subscription, SubscriptionItem, list[ProductVariant]]:
    """A SaaS plan (Acme's in USD): an active subscription charged automatically, of one item of a
    service sold in several sizes; with the sizes, smallest first."""
    async with db.session() as s:
        subs = (await s.exec(select(Subscription).where(Subscription.status == SubscriptionStatus.ACTIVE,
                                                        Subscription.collection_method == "CHARGE_AUTOMATICALLY",
                                                        Subscription.currency == currency)
                             .order_by(Subscription.id))).all()
        for sub in subs:
            items = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).all()
            if len(items) != 1:
                continue
            variant = await s.get(ProductVariant, items[0].variant_id)
            sizes = (await s.exec(select(ProductVariant).where(ProductVariant.product_id == variant.product_id)
                                  .order_by(ProductVariant.position))).all()
            if len(sizes) > 1:
                return sub, items[0], list(sizes)
    raise AssertionError("the demo has a plan subscription")


async def _state(db, sub_id: int) -> tuple:
    """Everything a plan change may write, to compare before and after."""
    async with db.session() as s:
        sub = await s.get(Subscription, sub_id)
        items = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub_id))).all()
        counts = [(await s.exec(select(func.count()).select_from(m))).one()
                  for m in (Invoice, InvoiceLine, Payment, SubscriptionEvent)]
    return ((sub.status, sub.version, sub.current_period_end),
            [(i.variant_id, i.quantity, i.unit_price, i.pending_variant_id) for i in items], counts)


def _vars(sub: Subscription, variant: ProductVariant, **more) -> dict:
    return {"input": {"id": encode("Subscription", sub.id), "variantId": encode("ProductVariant", variant.id),
                      **more}}


def _half_up(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


async def test_only_an_admin_changes_a_plan_and_sees_its_preview(gql, db):
    sub, _item, sizes = await _plan(db)
    before = await _state(db, sub.id)
    for who in (BUYER, AP, VIEWER, APPROVER, OPS, GLOBEX):
        body = await gql(CHANGE, _vars(sub, sizes[1]), as_=who)
        if who == GLOBEX:  # an admin elsewhere: no such subscription
            assert [e["code"] for e in body["data"]["subscriptionChangePlan"]["userErrors"]] == ["NOT_FOUND"]
        else:
            assert codes(body) == ["FORBIDDEN"], (who, body)
        body = await gql(PREVIEW, {"id": encode("Subscription", sub.id), "variant": encode("ProductVariant",
                                                                                          sizes[1].id)}, as_=who)
        assert (body["data"]["node"] or {}).get("changePlanPreview") is None, (who, body)
    assert await _state(db, sub.id) == before
    body = await gql(PREVIEW, {"id": encode("Subscription", sub.id), "variant": encode("ProductVariant", sizes[1].id)},
                     as_=ADMIN)
    assert body["data"]["node"]["changePlanPreview"]["change"]["timing"] == "NOW"


async def test_an_upgrade_invoices_and_charges_what_the_preview_quoted(gql, db, clock):
    sub, item, sizes = await _plan(db)
    ids = {"id": encode("Subscription", sub.id), "variant": encode("ProductVariant", sizes[1].id)}
    preview = (await gql(PREVIEW, ids, as_=ADMIN))["data"]["node"]["changePlanPreview"]
    assert preview["userErrors"] == []
    quote = preview["change"]
    left = int((sub.current_period_end - clock.now()).total_seconds())
    period = int((sub.current_period_end - sub.current_period_start).total_seconds())
    assert (quote["secondsLeft"], quote["secondsInPeriod"]) == (left, period)
    old = Decimal(quote["periodAmountBefore"]["amount"])
    new = Decimal(quote["periodAmountAfter"]["amount"])
    assert old == _half_up(item.unit_price * item.quantity) and new > old
    credit, charge = quote["lines"]
    assert Decimal(credit["amount"]["amount"]) == -_half_up(old * left / period)
    assert Decimal(charge["amount"]["amount"]) == _half_up(new * left / period)
    assert Decimal(quote["total"]["amount"]) == sum(Decimal(ln["amount"]["amount"]) + Decimal(ln["taxAmount"]["amount"])
                                                    for ln in quote["lines"])

    clock.advance(minutes=3)  # the customer confirms a little later, at the quoted instant
    body = await gql(CHANGE, _vars(sub, sizes[1], prorationDate=quote["proratesAt"]), as_=ADMIN)
    done = body["data"]["subscriptionChangePlan"]
    assert done["userErrors"] == [], done
    assert done["change"] == quote
    invoice = done["invoice"]
    assert invoice["status"] == "PAID" and Decimal(invoice["amountDue"]["amount"]) == 0
    assert [(ln["description"], ln["amount"]) for ln in invoice["lines"]] == \
        [(ln["description"], {"amount": ln["amount"]["amount"]}) for ln in quote["lines"]]
    assert invoice["total"] == quote["total"]
    assert done["subscription"]["items"][0]["variant"]["id"] == encode("ProductVariant", sizes[1].id)
    async with db.session() as s:
        payments = (await s.exec(select(Payment).where(Payment.account_id == sub.account_id,
                                                       Payment.created_at == clock.now()))).all()
    assert [(p.amount, p.status) for p in payments] == [(Decimal(quote["total"]["amount"]), "SUCCEEDED")]
    shown = (await gql(SHOW, {"id": encode("Subscription", sub.id)}, as_=AP))["data"]["node"]
    assert [e["kind"] for e in shown["history"]] == ["PLAN_CHANGED"] and shown["history"][0]["invoiceId"]
    assert Decimal(shown["nextInvoiceAmount"]["amount"]) == new

    # A second upgrade in the period (more seats): its credit is for the price the first one set.
    clock.advance(minutes=20)
    body = await gql(PREVIEW, {**ids, "quantity": item.quantity + 3}, as_=ADMIN)
    assert "errors" not in body and body["data"]["node"]["changePlanPreview"]["change"], body
    again = body["data"]["node"]["changePlanPreview"]["change"]
    left = int((sub.current_period_end - clock.now()).total_seconds())
    assert Decimal(again["periodAmountBefore"]["amount"]) == new
    assert Decimal(again["lines"][0]["amount"]["amount"]) == -_half_up(new * left / period)


async def test_an_upgrade_in_yen_is_prorated_to_whole_yen(gql, db, clock):
    sub, item, sizes = await _plan(db, "JPY")
    body = await gql(CHANGE, _vars(sub, sizes[1]), as_="admin@kanda.example")
    done = body["data"]["subscriptionChangePlan"]
    assert done["userErrors"] == [], done
    change = done["change"]
    left, period = change["secondsLeft"], change["secondsInPeriod"]
    old, new = Decimal(change["periodAmountBefore"]["amount"]), Decimal(change["periodAmountAfter"]["amount"])
    whole = lambda x: x.quantize(Decimal(1), ROUND_HALF_UP)  # noqa: E731
    assert [Decimal(ln["amount"]["amount"]) for ln in change["lines"]] == [-whole(old * left / period),
                                                                          whole(new * left / period)]
    assert done["invoice"]["status"] == "PAID" and change["lines"][0]["amount"]["currencyCode"] == "JPY"


async def test_a_declined_card_leaves_the_old_plan_and_says_why(gql, db):
    sub, _item, sizes = await _plan(db)
    async with db.transaction() as s:
        await s.exec(update(PaymentMethod).where(PaymentMethod.account_id == sub.account_id,
                                                 PaymentMethod.is_default == True)  # noqa: E712
                     .values(gateway_method_id="pm_test_visa_chargeDeclinedInsufficientFunds_9"))
    before = await _state(db, sub.id)
    body = await gql(CHANGE, _vars(sub, sizes[1]), as_=ADMIN)
    errors = body["data"]["subscriptionChangePlan"]["userErrors"]
    assert [e["code"] for e in errors] == ["PAYMENT_FAILED"] and "insufficient" in errors[0]["message"].lower()
    assert body["data"]["subscriptionChangePlan"]["invoice"] is None
    assert await _state(db, sub.id) == before


async def test_bad_input_is_a_coded_error_and_changes_nothing(gql, db, clock):
    sub, item, sizes = await _plan(db)
    async with db.session() as s:
        inactive = (await s.exec(select(ProductVariant).where(ProductVariant.is_active == False))).first()  # noqa: E712
        cancelled = (await s.exec(select(Subscription).where(Subscription.status == SubscriptionStatus.CANCELLED,
                                                             Subscription.account_id == sub.account_id))).first()
    before = await _state(db, sub.id)
    cases = [(_vars(sub, sizes[0]), "SAME_PLAN"),
             (_vars(sub, sizes[1], quantity=0), "INVALID_QUANTITY"),
             (_vars(sub, sizes[1], prorationDate=(clock.now() - timedelta(hours=1)).isoformat()),
              "INVALID_PRORATION_DATE"),
             (_vars(sub, sizes[1], prorationDate=(sub.current_period_start - timedelta(seconds=1)).isoformat()),
              "INVALID_PRORATION_DATE"),
             (_vars(cancelled, sizes[1]), "NOT_CHANGEABLE"),
             ({"input": {"id": encode("Subscription", sub.id), "variantId": "bogus"}}, "VARIANT_UNAVAILABLE")]
    if inactive is not None:
        cases.append((_vars(sub, inactive), "VARIANT_UNAVAILABLE"))
    for variables, code in cases:
        body = await gql(CHANGE, variables, as_=ADMIN)
        assert [e["code"] for e in body["data"]["subscriptionChangePlan"]["userErrors"]] == [code], (code, body)
    assert await _state(db, sub.id) == before


async def test_a_downgrade_waits_for_the_period_end_and_can_be_cancelled(gql, db):
    sub, item, sizes = await _plan(db)
    async with db.transaction() as s:  # on the larger size, so the smallest is a downgrade
        await s.exec(update(SubscriptionItem).where(SubscriptionItem.id == item.id)
                     .values(variant_id=sizes[1].id, unit_price=item.unit_price * 2))
    counts = (await _state(db, sub.id))[2]
    body = await gql(CHANGE, _vars(sub, sizes[0], quantity=2), as_=ADMIN)
    done = body["data"]["subscriptionChangePlan"]
    assert done["userErrors"] == [] and done["invoice"] is None
    assert done["change"]["timing"] == "PERIOD_END" and done["change"]["noCharge"] and done["change"]["lines"] == []
    assert done["change"]["effectiveAt"].startswith(sub.current_period_end.isoformat()[:19])
    shown = done["subscription"]["items"][0]
    assert (shown["variant"]["id"], shown["pendingVariant"]["id"], shown["pendingQuantity"]) == \
        (encode("ProductVariant", sizes[1].id), encode("ProductVariant", sizes[0].id), 2)
    assert Decimal(done["subscription"]["nextInvoiceAmount"]["amount"]) == \
        Decimal(done["change"]["periodAmountAfter"]["amount"])
    after = await _state(db, sub.id)
    assert after[2][:3] == counts[:3]  # no invoice, line or payment
    gid = {"input": {"id": encode("Subscription", sub.id)}}
    assert (await gql(CANCEL_PENDING, gid, as_=BUYER))["errors"]
    body = await gql(CANCEL_PENDING, gid, as_=ADMIN)
    assert body["data"]["subscriptionCancelPendingChange"]["subscription"]["items"][0]["pendingVariant"] is None
    body = await gql(CANCEL_PENDING, gid, as_=ADMIN)
    assert [e["code"] for e in body["data"]["subscriptionCancelPendingChange"]["userErrors"]] == ["NO_PENDING_CHANGE"]
    history = (await gql(SHOW, {"id": encode("Subscription", sub.id)}, as_=ADMIN))["data"]["node"]["history"]
    assert [e["kind"] for e in history] == ["PLAN_CHANGE_SCHEDULED", "PENDING_CHANGE_CANCELLED"]


async def test_a_viewer_sees_status_and_dates_but_no_amounts(gql, db):
    async with db.session() as s:
        paused = (await s.exec(select(Subscription).where(Subscription.status == SubscriptionStatus.PAUSED))).first()
    body = await gql(SHOW, {"id": encode("Subscription", paused.id)}, as_=VIEWER)
    node = body["data"]["node"]
    assert node["status"] == "PAUSED" and node["currentPeriodEnd"]
    assert node["nextInvoiceAmount"] is None and node["history"] is None
    assert set(codes(body)) == {"FORBIDDEN"}


async def test_a_page_of_subscriptions_with_history_and_next_amount_costs_the_same_statements_for_any_size(gql):
    page = """query($n: Int!) { viewer { accounts { subscriptions(first: $n) { nodes { number nextInvoiceAmount { amount }
      history { kind } items { quantity pendingVariant { id } variant { sku } } } } } } }"""
    small, large = [await gql(page, {"n": n}, as_=ADMIN) for n in (2, 6)]
    assert "errors" not in large and len(large["data"]["viewer"]["accounts"][0]["subscriptions"]["nodes"]) > 2
    assert small["_statements"] == large["_statements"]
