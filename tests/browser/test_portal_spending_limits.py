"""An account ADMIN sets and clears a member's spending limit on the members page; no other role is
offered it and the API refuses them. Axe-core on the page, screenshots at 1280 and 375 px."""
from tests.browser.test_portal_flows import api, codes, nav_labels, notice_text, shoot, sign_in, visit


def _buyer_membership(page):  # type: ignore[no-untyped-def]
    account_id = api(page, "Viewer")["data"]["viewer"]["memberships"][0]["account"]["id"]
    members = api(page, "Members", {"accountId": account_id})["data"]["node"]["members"]
    return next(m for m in members if m["user"]["email"] == "buyer@acme.example")


def test_only_the_admin_sets_a_members_spending_limit(page, screenshots):
    sign_in(page, "admin@acme.example")
    buyer = _buyer_membership(page)
    assert buyer["spendingLimit"]["amount"] == "5000.00"
    page.evaluate("() => sessionStorage.clear()")

    # Denied first: the buyer is offered no member administration, and the API refuses it.
    sign_in(page, "buyer@acme.example")
    assert "Members" not in nav_labels(page)
    visit(page, "members")
    assert "does not allow" in notice_text(page)
    assert page.locator("input[name=amount]").count() == 0
    refused = api(page, "MembershipSpendingLimitSet", {"membershipId": buyer["id"], "amount": "1000000"})
    assert codes(refused) == ["FORBIDDEN"]
    page.evaluate("() => sessionStorage.clear()")

    sign_in(page, "admin@acme.example")
    assert _buyer_membership(page)["spendingLimit"]["amount"] == "5000.00"  # nothing changed
    visit(page, "members")
    row = page.locator("tr", has_text="buyer@acme.example")
    amount = row.get_by_label("Spending limit (USD)")
    assert "Now: $5,000.00" in row.locator(".hint").inner_text()
    # A bad amount: the API's error under the field, nothing changed.
    amount.fill("12.345")
    row.locator("button >> text=Set limit").click()
    page.wait_for_selector("tr:has-text('buyer@acme.example') .field-error")
    assert amount.get_attribute("aria-invalid") == "true"
    assert _buyer_membership(page)["spendingLimit"]["amount"] == "5000.00"
    shoot(page, screenshots, "admin-members-limit-error")

    amount.fill("750.50")
    row.locator("button >> text=Set limit").click()
    page.wait_for_selector(".notice >> text=The spending limit of Bob Buyer is now $750.50.")
    assert _buyer_membership(page)["spendingLimit"]["amount"] == "750.50"
    shoot(page, screenshots, "admin-members-limit")

    # Cleared: empty means no limit.
    row = page.locator("tr", has_text="buyer@acme.example")
    row.get_by_label("Spending limit (USD)").fill("")
    row.locator("button >> text=Set limit").click()
    page.wait_for_selector(".notice >> text=/is now no limit/")
    assert _buyer_membership(page)["spendingLimit"] is None
