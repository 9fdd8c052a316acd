"""The portal's self-service flows beyond ordering, in headless Chromium as the roles that use
them, each after one denied case (the page hides it and the API itself refuses, nothing changed):
a plan's seats changed after its proration preview and a downgrade scheduled then taken back
(ADMIN); a recurring order's item swapped, next date moved, a one-time add-on, order now, skip and
unskip (BUYER); the retention offer accepted and declined before cancelling, then reactivated
(ADMIN); requisition lists made, changed and deleted (BUYER); billing details with the API's errors
at their fields (ACCOUNTS_PAYABLE); an integration client registered, its secret shown once, and
revoked (ADMIN). Screenshots at 1280 and 375 px."""
import json
import re
import urllib.request
from typing import Any

from tests.browser.test_portal_flows import api, codes, nav_labels, notice_text, shoot, sign_in, visit


def row(page: Any, number: str) -> Any:
    return page.locator("tr", has_text=number)


def subscriptions(page: Any) -> dict[str, dict[str, Any]]:
    answer = api(page, "Subscriptions")
    # Every field the page asks for is one the API answers (a VIEWER is refused the amounts only).
    assert set(codes(answer)) <= {"FORBIDDEN"}, answer["errors"]
    nodes = answer["data"]["viewer"]["subscriptions"]["nodes"]
    return {s["number"]: s for s in nodes}


def staff_sets_the_retention_offer(base: str) -> None:
    """Merchant staff (STAFF_ADMIN) offer 20 % off three renewals before a cancellation: the
    staff's own mutation, which the portal has no page for (the demo is not persisted-only)."""
    def gql(query: str, token: str | None = None) -> dict[str, Any]:
        request = urllib.request.Request(base + "graphql", data=json.dumps({"query": query}).encode(), headers={
            "content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310 - our own local server
            return dict(json.load(r))
    token = gql('mutation { signIn(input: {email: "ops@merchant.example", password: "portal-demo"}) '
                "{ session { token } } }")["data"]["signIn"]["session"]["token"]
    done = gql("mutation { subscriptionPortalConfigure(input: {preset: B2B, actions: [ADD_ON, CANCEL, CHANGE_CADENCE, "
               "CHANGE_DATE, CHANGE_ITEM, CHANGE_PLAN, ORDER_NOW, PAUSE, SKIP], cancelMode: PERIOD_END, "
               'cancelByAdminOnly: true, retentionOffer: {kind: DISCOUNT, percent: "20", cycles: 3}}) '
               "{ userErrors { code } } }", token)
    assert done["data"]["subscriptionPortalConfigure"]["userErrors"] == []


def test_admin_changes_a_plans_seats_after_the_proration_preview_and_takes_a_downgrade_back(page, screenshots):
    sign_in(page, "admin@acme.example")
    plan = subscriptions(page)["SUB-1005"]
    assert plan["kind"] == "PLAN" and plan["items"][0]["quantity"] == 5
    # Denied first: a BUYER gets no plan change, and the API refuses it (nothing changes).
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "buyer@acme.example")
    visit(page, "subscriptions")
    assert page.locator("button >> text=Change plan or seats").count() == 0
    refused = api(page, "SubscriptionChangePlan", {"id": plan["id"], "variantId": plan["items"][0]["variant"]["id"],
                                                   "quantity": 8})
    assert "FORBIDDEN" in codes(refused)
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "admin@acme.example")
    assert subscriptions(page)["SUB-1005"]["items"][0]["quantity"] == 5

    visit(page, "subscriptions")
    row(page, "SUB-1005").locator("button >> text=Change plan or seats").click()
    page.fill("#change-quantity", "8")
    page.click("#action-title ~ form button >> text=Preview")
    page.wait_for_selector("#change-preview")
    lines = page.locator("#change-preview tbody tr").all_inner_texts()
    assert len(lines) == 2 and "Unused time" in lines[0] and "Remaining time" in lines[1], lines
    assert "-$" in lines[0]  # the unused time is credited
    assert page.locator("#charged-now").inner_text().startswith("Charged now: $")
    assert "Takes effect now" in page.locator("#change-preview").inner_text()
    shoot(page, screenshots, "admin-plan-change-preview")
    page.click("#confirm-change")
    assert "Invoice" in page.locator(".notice.ok").inner_text()
    assert subscriptions(page)["SUB-1005"]["items"][0]["quantity"] == 8

    # A downgrade waits for the period end, charges nothing, and can be taken back.
    row(page, "SUB-1005").locator("button >> text=Change plan or seats").click()
    page.fill("#change-quantity", "3")
    page.click("#action-title ~ form button >> text=Preview")
    page.wait_for_selector("#change-preview")
    assert "Takes effect at the end of the period" in page.locator("#change-preview").inner_text()
    assert page.locator("#charged-now").inner_text() == "Nothing is charged now."
    page.click("#confirm-change")
    page.wait_for_selector(".notice.ok >> text=Done.")
    page.wait_for_selector("tr:has-text('SUB-1005') li >> text=/3 × Monthly/")
    shoot(page, screenshots, "admin-plan-downgrade-pending")
    row(page, "SUB-1005").locator("button >> text=Cancel the scheduled change").click()
    page.wait_for_selector("#action-title ~ .notice >> text=/Scheduled for the period end/")
    page.click("#action-title ~ button >> text=Confirm")
    page.wait_for_selector(".notice.ok >> text=Done.")
    item = subscriptions(page)["SUB-1005"]["items"][0]
    assert item["quantity"] == 8 and item["pendingQuantity"] is None


def test_buyer_swaps_an_item_moves_the_date_adds_once_orders_now_and_unskips(page, screenshots):
    # Denied first: a VIEWER gets none of these actions, and the API refuses a swap.
    sign_in(page, "viewer@acme.example")
    visit(page, "subscriptions")
    assert page.locator("button >> text=Swap the item").count() == 0
    paused = subscriptions(page)["SUB-1003"]
    assert "FORBIDDEN" in codes(api(page, "SubscriptionChangeItem", {"id": paused["id"], "quantity": 3}))
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "buyer@acme.example")
    visit(page, "subscriptions")
    assert row(page, "SUB-1001").locator("button >> text=Change plan or seats").count() == 0  # a plan's, ADMIN's

    # Swap the first item (S) for its product's M, same quantity.
    row(page, "SUB-1001").locator("button >> text=Swap the item").click()
    page.locator("#change-variant").select_option(index=1)
    page.click("#action-title ~ form button >> text=Preview")
    page.wait_for_selector("#change-preview >> text=Applies from the next order on.")
    shoot(page, screenshots, "buyer-subscription-swap-preview")
    page.click("#confirm-change")
    page.wait_for_selector(".notice.ok >> text=Done.")
    page.wait_for_selector("tr:has-text('SUB-1001') li >> text=/SAF-1001-2/")

    # The next date, five days later.
    before = subscriptions(page)["SUB-1001"]["nextBillingAt"][:10]
    later = page.evaluate("(d) => { const x = new Date(d + 'T12:00:00Z'); x.setUTCDate(x.getUTCDate() + 5); "
                          "return x.toISOString().slice(0, 10); }", before)
    row(page, "SUB-1001").locator("button >> text=Change the next date").click()
    page.fill("#next-date", later)
    page.click("#action-title ~ form button >> text=Preview")
    page.wait_for_selector("#action-title ~ div .notice >> text=/Takes effect/")
    page.click("#confirm-date")
    page.wait_for_selector(".notice.ok >> text=Done.")
    assert subscriptions(page)["SUB-1001"]["nextBillingAt"][:10] == later

    # A one-time add-on: its priced line first.
    row(page, "SUB-1001").locator("button >> text=Add to the next order once").click()
    page.fill("#addon-quantity", "2")
    page.click("#action-title ~ form button >> text=Preview")
    page.wait_for_selector("#action-title ~ div .preview >> text=/Total: \\$/")
    shoot(page, screenshots, "buyer-subscription-addon-preview")
    page.click("#confirm-addon")
    page.wait_for_selector(".notice.ok >> text=Done.")

    # Order now: every line of the next order, then placed.
    row(page, "SUB-1001").locator("button >> text=Order now").click()
    page.wait_for_selector("#action-title ~ .preview >> text=/placed and invoiced now/")
    assert page.locator("#action-title ~ .preview tbody tr").count() >= 3  # two items and the add-on
    page.click("#action-title ~ button >> text=Confirm")
    page.wait_for_selector(".notice.ok >> text=Done.")

    # Skip, then take it back.
    row(page, "SUB-1001").locator("button >> text=Skip the next delivery").click()
    page.click("#action-title ~ button >> text=Confirm")
    page.wait_for_selector(".notice.ok >> text=Done.")
    skipped = subscriptions(page)["SUB-1001"]["nextBillingAt"]
    row(page, "SUB-1001").locator("button >> text=Take the skip back").click()
    page.wait_for_selector("#action-title ~ .notice >> text=/Takes effect/")
    page.click("#action-title ~ button >> text=Confirm")
    page.wait_for_selector(".notice.ok >> text=Done.")
    assert subscriptions(page)["SUB-1001"]["nextBillingAt"] < skipped
    assert row(page, "SUB-1001").locator("button >> text=Take the skip back").count() == 0


def test_admin_accepts_and_declines_the_retention_offer_then_reactivates(page, screenshots):
    staff_sets_the_retention_offer(page.base)
    # Denied first: cancelling is the ADMIN's here (cancelByAdminOnly); a BUYER sees no Cancel and
    # cannot answer the offer through the API.
    sign_in(page, "buyer@acme.example")
    visit(page, "subscriptions")
    assert page.locator("button:text-is('Cancel')").count() == 0
    denver = subscriptions(page)["SUB-1001"]
    assert "FORBIDDEN" in codes(api(page, "SubscriptionRespondToOffer", {"id": denver["id"], "accept": True}))
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "admin@acme.example")
    visit(page, "subscriptions")

    row(page, "SUB-1002").locator("button:text-is('Cancel')").click()
    page.wait_for_selector("#retention-offer >> text=20 % off each of the next 3 renewals.")
    shoot(page, screenshots, "admin-subscription-retention-offer")
    page.click("#retention-offer button >> text=Accept the offer")
    assert "The offer is accepted" in notice_text(page)
    assert subscriptions(page)["SUB-1002"]["cancelAtPeriodEnd"] is False

    row(page, "SUB-1001").locator("button:text-is('Cancel')").click()
    page.click("#retention-offer button >> text=No thanks, go on cancelling")
    page.select_option("#cancel-reason", "TOO_EXPENSIVE")
    page.click("#action-title ~ form button >> text=Confirm")
    page.wait_for_selector(".notice.ok >> text=Done.")
    assert subscriptions(page)["SUB-1001"]["cancelAtPeriodEnd"] is True
    row(page, "SUB-1001").locator("button >> text=Reactivate").click()
    page.wait_for_selector("#action-title ~ .notice >> text=/is taken back/")
    page.click("#action-title ~ button >> text=Confirm")
    page.wait_for_selector(".notice.ok >> text=Done.")
    assert subscriptions(page)["SUB-1001"]["cancelAtPeriodEnd"] is False
    # An ended one begins again as a new subscription of the same items.
    row(page, "SUB-1004").locator("button >> text=Reactivate").click()
    page.wait_for_selector("#action-title ~ .notice >> text=/A new subscription of the same items/")
    page.click("#action-title ~ button >> text=Confirm")
    page.wait_for_selector(".notice.ok >> text=Done.")
    assert subscriptions(page)["SUB-1004-R"]["status"] == "ACTIVE"


def test_buyer_makes_changes_and_deletes_a_requisition_list(page, screenshots):
    # Denied first: a VIEWER has no lists page, and the API refuses to make one.
    sign_in(page, "viewer@acme.example")
    assert "Requisition lists" not in nav_labels(page)
    visit(page, "lists")
    assert "Your role does not allow this page." in notice_text(page)
    account = page.evaluate("() => window.portalql.call('Viewer').then((r) => r.data.viewer.memberships[0].account.id)")
    assert "FORBIDDEN" in codes(api(page, "RequisitionListCreate", {"accountId": account, "name": "Viewer's list"}))
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "buyer@acme.example")
    answer = api(page, "RequisitionLists")
    assert not answer["errors"], answer["errors"]
    names = [x["name"] for x in answer["data"]["requisitionLists"]["nodes"]]
    assert "Viewer's list" not in names

    visit(page, "lists")
    page.fill("#new-list-name", "Denver weekly restock")  # taken: said at the field
    page.click("button >> text=Create list")
    page.wait_for_selector("#new-list-name-error")
    assert page.get_attribute("#new-list-name", "aria-invalid") == "true"
    page.fill("#new-list-name", "Night shift")
    page.fill("#new-list-description", "Gloves and hats")
    page.click("button >> text=Create list")
    assert "List “Night shift” created." in notice_text(page)
    card = page.locator("section.card", has=page.locator("h2", has_text="Night shift"))
    card.locator("summary").click()
    card.locator("input[name=sku]").fill("NO-SUCH-SKU")
    card.locator("button >> text=Add to the list").click()
    page.wait_for_selector("section.card .field-error >> text=/No product with SKU NO-SUCH-SKU/")
    card.locator("input[name=sku]").fill("SAF-1001-1")
    card.locator("input[name=quantity]").fill("200000")
    card.locator("button >> text=Add to the list").click()
    page.wait_for_selector("section.card .field-error >> text=/Quantities go from 1/")
    shoot(page, screenshots, "buyer-list-field-errors")
    card = page.locator("section.card", has=page.locator("h2", has_text="Night shift"))
    card.locator("input[name=quantity]").fill("12")
    card.locator("button >> text=Add to the list").click()
    page.wait_for_selector(".notice.ok >> text=SAF-1001-1 is on “Night shift”.")
    card = page.locator("section.card", has=page.locator("h2", has_text="Night shift"))
    assert card.locator("td:text-is('SAF-1001-1')").count() == 1
    card.locator("summary").click()
    card.locator("input[name=name]").fill("Night shift (Denver)")
    card.locator("button >> text=Save").click()
    page.wait_for_selector(".notice.ok >> text=List saved as “Night shift (Denver)”.")
    card = page.locator("section.card", has=page.locator("h2", has_text="Night shift (Denver)"))
    shoot(page, screenshots, "buyer-lists-edited")
    card.locator("button >> text=Remove SAF-1001-1").click()
    page.wait_for_selector(".notice.ok >> text=/SAF-1001-1 removed/")
    card = page.locator("section.card", has=page.locator("h2", has_text="Night shift (Denver)"))
    assert card.locator("text=No products on this list yet.").count() == 1
    card.locator("summary").click()
    page.once("dialog", lambda d: d.accept())
    card.locator("button >> text=Delete “Night shift (Denver)”").click()
    page.wait_for_selector(".notice.ok >> text=List “Night shift (Denver)” deleted.")
    names = [x["name"] for x in api(page, "RequisitionLists")["data"]["requisitionLists"]["nodes"]]
    assert "Night shift (Denver)" not in names and "Denver weekly restock" in names


def test_accounts_payable_edits_the_billing_details_with_errors_at_the_fields(page, screenshots):
    # Denied first: a BUYER has no billing page, and the API refuses a change (nothing changes).
    sign_in(page, "buyer@acme.example")
    visit(page, "billing")
    assert "Your role does not allow this page." in notice_text(page)
    account = page.evaluate("() => window.portalql.call('Viewer').then((r) => r.data.viewer.memberships[0].account.id)")
    assert "FORBIDDEN" in codes(api(page, "BillingDetailsUpdate", {"accountId": account, "businessName": "Hijacked"}))
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "ap@acme.example")
    before = api(page, "Billing", {"accountId": account})["data"]["node"]["billingDetails"]
    assert before["businessName"] != "Hijacked"

    visit(page, "billing")
    page.click("summary >> text=Change billing details")
    page.fill("#bd-taxId", "XX123")
    page.fill("#bd-country", "US")
    page.fill("#bd-region", "")
    page.fill("#bd-postalCode", "abc")
    page.click("button >> text=Save billing details")
    page.wait_for_selector("#bd-taxId-error")
    for name in ("taxId", "region", "postalCode"):
        assert page.get_attribute(f"#bd-{name}", "aria-invalid") == "true"
        assert f"bd-{name}-error" in page.get_attribute(f"#bd-{name}", "aria-describedby").split()
    assert "EIN" in page.locator("#bd-taxId-error").inner_text()
    shoot(page, screenshots, "ap-billing-details-errors")
    assert api(page, "Billing", {"accountId": account})["data"]["node"]["billingDetails"] == before  # nothing changed
    page.fill("#bd-businessName", "Acme Industrial Holdings")
    page.fill("#bd-taxId", "")
    page.fill("#bd-region", "IL")
    page.fill("#bd-postalCode", "60601")
    page.click("button >> text=Save billing details")
    assert "The billing details are saved" in notice_text(page)
    after = api(page, "Billing", {"accountId": account})["data"]["node"]["billingDetails"]
    assert (after["businessName"], after["region"], after["postalCode"]) == ("Acme Industrial Holdings", "IL", "60601")


def test_admin_registers_an_integration_client_sees_its_secret_once_and_revokes_it(page, screenshots):
    # Denied first: ACCOUNTS_PAYABLE has no audit page, and the API refuses a client.
    sign_in(page, "ap@acme.example")
    visit(page, "audit")
    assert "Your role does not allow this page." in notice_text(page)
    account = page.evaluate("() => window.portalql.call('Viewer').then((r) => r.data.viewer.memberships[0].account.id)")
    assert "FORBIDDEN" in codes(api(page, "IntegrationClientCreate", {"accountId": account, "name": "AP's own",
                                                                      "scopes": ["invoices:read"]}))
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "admin@acme.example")
    clients = api(page, "IntegrationClients", {"accountId": account})["data"]["node"]["oauthClients"]
    assert "AP's own" not in [c["name"] for c in clients]

    visit(page, "audit")
    page.fill("#client-name", "ERP sync")
    page.click("button >> text=Register client")
    page.wait_for_selector(".notice.error >> text=/scope/")
    page.check("#scope-orders-read")
    page.check("#scope-invoices-read")
    page.click("button >> text=Register client")
    page.wait_for_selector("#client-secret")
    secret = page.locator("#client-secret code.secret").inner_text()
    assert len(secret) > 30
    page.wait_for_selector("td >> text=ERP sync")
    assert "invoices:read, orders:read" in page.locator("tr", has_text="ERP sync").inner_text()
    shoot(page, screenshots, "admin-integration-client-secret")
    visit(page, "")
    visit(page, "audit")  # shown once: not after coming back
    assert page.locator("#client-secret").count() == 0 and secret not in page.content()
    page.once("dialog", lambda d: d.accept())
    page.locator("tr", has_text="ERP sync").locator("button >> text=Revoke ERP sync").click()
    page.wait_for_selector(".notice.ok >> text=Client “ERP sync” revoked.")
    page.wait_for_selector("td >> text=ERP sync (revoked)")
    shoot(page, screenshots, "admin-integration-clients")
    clients = api(page, "IntegrationClients", {"accountId": account})["data"]["node"]["oauthClients"]
    assert next(c for c in clients if c["name"] == "ERP sync")["revokedAt"]


def test_german_admin_previews_a_swap_and_an_order_in_euros(page, screenshots):
    sign_in(page, "admin@globex.example")
    visit(page, "subscriptions")
    assert page.locator("h1").inner_text() == "Abonnements"
    # Past due: nothing to change but the payment (the API's rule: only an active one changes).
    assert row(page, "SUB-1008").locator("button >> text=Artikel tauschen").count() == 0
    row(page, "SUB-1007").locator("button >> text=Artikel tauschen").click()
    page.fill("#change-quantity", "25")
    page.click("#action-title ~ form button >> text=Vorschau")
    page.wait_for_selector("#change-preview >> text=Gilt ab der nächsten Bestellung.")
    text = page.locator("#change-preview").inner_text()
    assert re.search("Pro Zeitraum vor Steuer: jetzt [0-9.]+,[0-9]{2}\u00a0€", text), text  # German amounts in euros
    shoot(page, screenshots, "globex-subscription-swap-preview-de")
    row(page, "SUB-1007").locator("button >> text=Jetzt bestellen").click()
    page.wait_for_selector("#action-title ~ .preview >> text=/Summe: [0-9.]+,[0-9]{2}.€/")
