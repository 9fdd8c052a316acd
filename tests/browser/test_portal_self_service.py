"""The self-service pages in headless Chromium: profile, addresses and email choices; support with
the knowledge base, deflection and tickets; shared documents, purchase-order files, digital
purchases and license keys. Each as the roles that use it, one denied case first (the page does not
offer it and the API itself refuses), axe-core on each page, screenshots at 1280 and 375 px."""
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

from server.demo_data import DEMO_PASSWORD, DEMO_LICENSE_KEY
from tests.browser.conftest import ROOT, portal_env
from tests.browser.test_portal_flows import api, codes, png, shoot, sign_in, visit


def sign_in_with_password(page: Any, email: str) -> None:
    """A customer the demo list does not offer (Kanda Seiki's admin): the sign-in form."""
    page.goto(page.base + "#/sign-in")
    page.reload()
    page.wait_for_selector("main[data-ready] h1")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit] >> text=Sign in")
    page.wait_for_function("() => { const m = document.querySelector('main[data-ready]'); "
                           "return m && m.dataset.route !== '#/sign-in' && !m.dataset.route.startsWith('#/sign-in'); }")


def newest_mail(page: Any, to: str) -> str:
    """The newest message in the demo server's outbox to `to`, as `portalql mail show` prints it."""
    def outbox(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "server.cli", "mail", *args], cwd=ROOT, env=portal_env[page.base],
                              capture_output=True, text=True, timeout=120, check=True).stdout
    return outbox("show", outbox("list", "--to", to).splitlines()[0].split()[0])


def fetch_status(page: Any, path: str) -> int:
    """GET a download route with the page's bearer token: its HTTP status."""
    return int(page.evaluate("""async (p) => (await fetch(p, { headers: {
        authorization: `Bearer ${sessionStorage.getItem('portalql.token')}` } })).status""", path))


def test_buyer_keeps_profile_addresses_and_email_choices(page, screenshots):
    # Denied first: another person's address is not the buyer's to change, and stays.
    sign_in(page, "jo@example.com")
    jo_address = api(page, "Profile")["data"]["viewer"]["addresses"][0]["id"]
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "buyer@acme.example")
    answer = api(page, "ViewerAddressDelete", {"id": jo_address})
    assert [e["code"] for e in answer["data"]["viewerAddressDelete"]["userErrors"]] == ["ADDRESS_NOT_FOUND"]

    visit(page, "profile")
    before = api(page, "Profile")["data"]["viewer"]
    assert page.input_value("#custom-cost_center") == "DEN-4410"
    assert page.locator("label[for=custom-cost_center] .required").count() == 1  # required is marked
    # Two wrong fields: both said next to their field, nothing saved.
    page.fill("#profile-phone", "call me")
    page.fill("#custom-cost_center", "")
    page.click("button >> text=Save profile")
    page.wait_for_selector("#profile-phone-error")
    page.wait_for_selector("#custom-cost_center-error >> text=/required/")
    assert page.get_attribute("#profile-phone", "aria-invalid") == "true"
    assert "profile-phone-error" in page.get_attribute("#profile-phone", "aria-describedby")
    after = api(page, "Profile")["data"]["viewer"]
    assert after["phone"] == before["phone"] and after["customFields"] == before["customFields"]
    shoot(page, screenshots, "buyer-profile-errors")
    page.fill("#profile-phone", "+1 303 555 0100")
    page.fill("#custom-cost_center", "DEN-5000")
    page.select_option("#profile-time-zone", "America/Denver")
    page.click("button >> text=Save profile")
    page.wait_for_selector(".notice.ok >> text=Your profile is saved.")
    saved = api(page, "Profile")["data"]["viewer"]
    assert saved["phone"] == "+1 303 555 0100" and saved["timeZone"] == "America/Denver"
    assert {c["field"]["key"]: c["value"] for c in saved["customFields"]}["cost_center"] == "DEN-5000"

    # Email change: a wrong password is said at the password field.
    page.fill("#new-email", "buyer.new@acme.example")
    page.fill("#email-password", "not-it")
    page.click("button >> text=Send the confirmation link")
    page.wait_for_selector("#email-password-error")
    page.fill("#email-password", DEMO_PASSWORD)
    page.click("button >> text=Send the confirmation link")
    page.wait_for_selector(".notice.ok >> text=/sent a link to buyer.new@acme.example/")
    # The mailed link lands on the portal; the address changes when the person confirms, and the
    # old address's undo link takes it back (signing every session out).
    confirm = re.search(r"(http://\S+/confirm-email-change\?token=\S+)", newest_mail(page, "buyer.new@acme.example")).group(1)
    assert confirm.startswith(page.base)
    page.goto(confirm)
    page.wait_for_selector("h1 >> text=Confirm your new email address")
    shoot(page, screenshots, "buyer-email-change-confirm")
    assert api(page, "Profile")["data"]["viewer"]["email"] == "buyer@acme.example"  # opening it changed nothing
    page.click("button >> text=Confirm the new address")
    page.wait_for_selector(".notice.ok >> text=Done: you now sign in as buyer.new@acme.example.")
    assert api(page, "Profile")["data"]["viewer"]["email"] == "buyer.new@acme.example"
    undo = re.search(r"(http://\S+/undo-email-change\?token=\S+)", newest_mail(page, "buyer@acme.example")).group(1)
    page.goto(undo)
    page.click("button >> text=Undo the change")
    page.wait_for_selector(".notice.ok >> text=/Your old address is back/")
    sign_in(page, "buyer@acme.example")
    visit(page, "profile")

    # Address book: a US address without its state is refused at that field, then added as default.
    shipping_before = [a for a in saved["addresses"] if a["kind"] == "SHIPPING"]
    page.fill("#address-label", "Night dock")
    page.fill("#address-line1", "4400 Dock Rd")
    page.fill("#address-city", "Denver")
    page.fill("#address-postal-code", "80216")
    page.fill("#address-country", "US")
    page.check("#address-default")
    page.click("button >> text=Save address")
    page.wait_for_selector("#address-region-error")
    assert len(api(page, "Profile")["data"]["viewer"]["addresses"]) == len(saved["addresses"])
    page.fill("#address-region", "CO")
    page.click("button >> text=Save address")
    page.wait_for_selector(".notice.ok >> text=The address is saved.")
    book = api(page, "Profile")["data"]["viewer"]["addresses"]
    shipping = [a for a in book if a["kind"] == "SHIPPING"]
    assert len(shipping) == len(shipping_before) + 1
    assert [a["label"] for a in shipping if a["isDefault"]] == ["Night dock"]
    page.click("button >> text=Change Night dock")
    assert page.input_value("#address-line1") == "4400 Dock Rd"
    page.fill("#address-line2", "Gate 3")
    page.click("button >> text=Save address")
    page.wait_for_selector("address >> text=Gate 3")  # the book shown again, changed
    assert [a["line2"] for a in api(page, "Profile")["data"]["viewer"]["addresses"] if a["label"] == "Night dock"] == ["Gate 3"]
    page.click("button >> text=Delete Night dock")
    page.wait_for_selector(".notice.ok >> text=The address is deleted.")
    book = api(page, "Profile")["data"]["viewer"]["addresses"]
    assert "Night dock" not in [a["label"] for a in book]
    assert [a["isDefault"] for a in book if a["kind"] == "SHIPPING"] == [True]  # the mark passed on

    # Email choices: marketing off by default; shipping turned off and kept.
    assert not page.is_checked("#notify-MARKETING") and page.is_checked("#notify-SHIPPING")
    page.uncheck("#notify-SHIPPING")
    page.click("button >> text=Save email choices")
    page.wait_for_selector(".notice.ok >> text=Your email choices are saved.")
    prefs = {p["category"]: p["enabled"] for p in api(page, "Profile")["data"]["viewer"]["notificationPreferences"]}
    assert prefs["SHIPPING"] is False and prefs["MARKETING"] is False and prefs["INVOICES"] is True
    visit(page, "profile?again=1")
    assert not page.is_checked("#notify-SHIPPING")
    shoot(page, screenshots, "buyer-profile")


def test_buyer_searches_help_is_answered_by_an_article_then_opens_answers_and_closes_a_ticket(page, screenshots):
    # Denied first: a VIEWER may read help articles but not open tickets; another account's
    # ticket is not found.
    sign_in(page, "admin@globex.example")
    globex_ticket = api(page, "SupportTickets")["data"]["supportTickets"]["nodes"][0]["id"]
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "viewer@acme.example")
    visit(page, "support")
    assert page.locator("#ticket-form").count() == 0
    answer = api(page, "SupportTicketCreate", {"subject": "Let me in", "body": "Please."})
    assert "FORBIDDEN" in codes(answer)
    page.evaluate("() => sessionStorage.clear()")

    sign_in(page, "buyer@acme.example")
    visit(page, f"support/{globex_ticket}")
    assert page.locator("h1").inner_text() == "This page does not exist."
    visit(page, "support")
    tickets_before = api(page, "SupportTickets")["data"]["supportTickets"]["totalCount"]
    page.wait_for_selector("td >> text=Gloves arrived with torn boxes")
    page.fill("#kb-query", "tracking shipment")
    page.click("form[role=search] button")
    page.wait_for_selector("article h3 >> text=Tracking a shipment")
    assert page.locator("article .article-body strong").count() >= 1  # the article's own markup
    assert page.locator("article .article-body script, article .article-body [onclick]").count() == 0
    shoot(page, screenshots, "buyer-support-search")

    # The matching articles come first; one answers the question and no ticket is opened.
    page.fill("#ticket-subject", "Goods arrived damaged")
    page.fill("#ticket-body", "Two boxes were crushed.")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_selector("#offers-title")
    shoot(page, screenshots, "buyer-support-offers")
    page.click("button >> text=/This answered my question/")
    page.wait_for_selector(".notice.ok >> text=Glad it helped. No ticket was opened.")
    assert api(page, "SupportTickets")["data"]["supportTickets"]["totalCount"] == tickets_before

    # Not answered: the ticket is opened with a photo.
    page.fill("#ticket-subject", "Goods arrived damaged")
    page.fill("#ticket-body", "Two boxes were crushed, photo attached.")
    page.set_input_files("#ticket-attachments", files=[{"name": "crushed.png", "mimeType": "image/png", "buffer": png()}])
    page.click("#ticket-form button[type=submit]")
    page.wait_for_selector("#offers-title")
    page.click("#ticket-form button[type=submit] >> text=Open the ticket")
    page.wait_for_selector(".notice.ok >> text=/Ticket SUP-\\d+ is open/")
    page.wait_for_selector("button >> text=/crushed.png/")
    with page.expect_download() as got:
        page.click("button >> text=/crushed.png/")
    assert got.value.suggested_filename == "crushed.png"
    assert api(page, "SupportTickets")["data"]["supportTickets"]["totalCount"] == tickets_before + 1

    assert page.locator("#escalate-form").count() == 0  # ADMIN only
    page.fill("#reply-body", "And the invoice for it.")
    page.set_input_files("#reply-attachments", files=[{"name": "more.png", "mimeType": "image/png", "buffer": png()}])
    page.click("button >> text=Send the answer")
    page.wait_for_selector(".notice.ok >> text=Your answer is sent.")
    page.wait_for_selector(".messages li >> text=And the invoice for it.")
    page.wait_for_selector("dd >> text=Waiting for us")
    shoot(page, screenshots, "buyer-support-ticket")
    page.click("button >> text=/Close ticket SUP-/")
    page.wait_for_selector(".notice.ok >> text=/is closed/")
    assert page.locator("#reply-form").count() == 0
    page.wait_for_selector("dd >> text=Closed")


def test_documents_for_accounts_payable_admin_and_a_licensed_customer(page, screenshots):
    # Denied first: the buyer does not see the agreement shared with ADMIN and ACCOUNTS_PAYABLE,
    # and its download route answers 404 to the buyer.
    sign_in(page, "ap@acme.example")
    shared = api(page, "Documents")["data"]["sharedDocuments"]["nodes"]
    assert [d["title"] for d in shared] == ["Framework supply agreement 2026"]
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, "buyer@acme.example")
    visit(page, "documents")
    page.wait_for_selector("text=No documents shared with your role.")
    assert fetch_status(page, shared[0]["url"]) == 404
    page.evaluate("() => sessionStorage.clear()")

    sign_in(page, "ap@acme.example")
    visit(page, "documents")
    with page.expect_download() as got:
        page.click("button >> text=Download Framework supply agreement 2026")
    assert got.value.suggested_filename.endswith(".pdf")
    shoot(page, screenshots, "ap-documents")
    page.evaluate("() => sessionStorage.clear()")

    # The admin attaches the purchase order to an order; whoever sees the order downloads it.
    sign_in(page, "admin@acme.example")
    order = api(page, "Orders")["data"]["viewer"]["orders"]["nodes"][0]
    visit(page, f"orders/{order['id']}")
    page.wait_for_selector("#po-files-title")
    page.set_input_files("#po-file", files=[{"name": "po-scan.png", "mimeType": "image/png", "buffer": png()}])
    page.click("button >> text=Attach the file")
    page.wait_for_selector(".notice.ok >> text=/is attached/")
    files = api(page, "PurchaseOrderFiles", {"orderId": order["id"]})["data"]["purchaseOrderFiles"]
    assert len(files) == 1
    with page.expect_download() as got:
        page.click(f"button >> text=Download {files[0]['filename']}")
    shoot(page, screenshots, "admin-order-po-file")
    page.evaluate("() => sessionStorage.clear()")

    # Kanda Seiki's admin sees the demo's license key in full.
    sign_in_with_password(page, "admin@kanda.example")
    visit(page, "documents")
    page.wait_for_selector(f".license-key >> text={DEMO_LICENSE_KEY}")
    shoot(page, screenshots, "kanda-documents")
    page.evaluate("() => sessionStorage.clear()")

    # Acme's admin buys the digital product: its signed download link (no token needed) and a key.
    db = portal_env[page.base]["DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(db) as conn:
        sku = conn.execute("SELECT v.sku FROM product_variant v JOIN digital_variant d ON d.variant_id = v.id").fetchone()[0]
    sign_in(page, "admin@acme.example")
    location = api(page, "CatalogLocations")["data"]["viewer"]["locations"][0]["id"]
    cart = api(page, "CartCreate", {"locationId": location, "lines": [{"sku": sku, "quantity": 1}]})["data"]["cartCreate"]
    assert cart["cart"], cart
    placed = api(page, "OrderPlace", {"idempotencyKey": "self-service-digital", "cartId": cart["cart"]["id"]})
    assert not placed["data"]["orderPlace"]["userErrors"], placed
    visit(page, "documents")
    page.wait_for_selector(".license-key")
    assert page.locator(".license-key").first.inner_text().count("-") == 4
    href = page.locator("a >> text=/installer.zip/").first.get_attribute("href")
    assert "signature=" in href
    with urllib.request.urlopen(page.base.rstrip("/") + href, timeout=30) as r:  # noqa: S310 - our own server
        assert r.status == 200  # the signed link needs no token
    try:
        urllib.request.urlopen(page.base.rstrip("/") + href.replace("signature=", "signature=0"), timeout=30)  # noqa: S310
        raise AssertionError("a changed link downloaded")
    except urllib.error.HTTPError as e:
        assert e.code == 404
    shoot(page, screenshots, "admin-documents-digital")
    page.evaluate("() => sessionStorage.clear()")

    # The account's APPROVER sees the key's row, not the key.
    sign_in(page, "approver@acme.example")
    visit(page, "documents")
    page.wait_for_selector("td >> text=/shown to buyers and admins/")
    assert page.locator(".license-key").count() == 0
    shoot(page, screenshots, "approver-documents")


def test_german_buyer_sees_its_profile_and_help_in_german(page, screenshots):
    sign_in(page, "buyer@globex.example")
    visit(page, "profile")
    assert page.locator("h1").inner_text() == "Ihr Profil"
    assert page.input_value("#custom-cost_center") == "BER-77"
    assert page.input_value("#profile-time-zone") == "Europe/Berlin"
    page.wait_for_selector("legend >> text=E-Mails senden über")
    shoot(page, screenshots, "globex-buyer-profile-de")
    visit(page, "support?q=Sendung")
    page.wait_for_selector("article h3 >> text=Eine Sendung verfolgen")
    shoot(page, screenshots, "globex-buyer-support-de")


def test_article_html_is_rebuilt_from_an_allowlist(page):
    """Whatever HTML an answer carried, the page builds no script, handler, style or javascript: link."""
    sign_in(page, "buyer@acme.example")
    html = ('<p onclick="alert(1)">Hi <strong>there</strong><script>window.bad = 1</script>'
            '<img src="x" onerror="window.bad = 2"><a href="javascript:window.bad = 3">js</a>'
            '<a href="https://example.com/">ok</a><style>body{display:none}</style></p>')
    built = page.evaluate("""async (html) => {
        const { richText } = await import('/portal/lib/richtext.js');
        const el = richText(html);
        document.querySelector('main').append(el);
        await new Promise((r) => setTimeout(r, 100));
        return { html: el.innerHTML, bad: window.bad || null };
    }""", html)
    assert built["bad"] is None
    for forbidden in ("<script", "onclick", "onerror", "<img", "javascript:", "<style"):
        assert forbidden not in built["html"], built["html"]
    assert '<strong>there</strong>' in built["html"]
    assert 'href="https://example.com/" rel="nofollow noopener noreferrer"' in built["html"]


def test_admin_sees_the_accounts_tickets_and_opens_one_for_the_whole_account(page, screenshots):
    sign_in(page, "admin@acme.example")
    visit(page, "support")
    page.wait_for_selector("td >> text=Gloves arrived with torn boxes")  # the buyer's, at Denver Plant
    page.wait_for_selector("td >> text=Add a second billing contact")
    page.select_option("#ticket-place", label="Acme Industrial (whole account)")
    page.fill("#ticket-subject", "Quarterly price review")
    page.fill("#ticket-body", "When is the next review of our contract prices?")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_selector("#offers-title, .notice.ok")
    if page.locator("#offers-title").count():  # articles matched the subject: not answered, open it
        page.click("#ticket-form button[type=submit] >> text=Open the ticket")
    page.wait_for_selector(".notice.ok >> text=/Ticket SUP-\\d+ is open/")
    page.wait_for_selector("dd >> text=Alice Admin")
    shoot(page, screenshots, "admin-support-ticket")
    page.click("button >> text=Escalate the ticket")  # without a reason: said at the field
    page.wait_for_selector("#escalate-reason-error")
    page.fill("#escalate-reason", "The review decides next quarter's budget.")
    page.click("button >> text=Escalate the ticket")
    page.wait_for_selector(".notice.ok >> text=/is with your account team now/")
    page.wait_for_selector("dd >> text=Urgent")
    assert page.locator("#escalate-form").count() == 0  # once only
