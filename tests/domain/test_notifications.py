"""The notification table covers every mail template; unsubscribe tokens cannot be forged; the
HTML made from a text body escapes everything and links only web addresses; every new email
exists in English and German and fills from the parameters it is queued with."""
import string
from pathlib import Path

import pytest

from domain.notifications import (DEFAULTS, ESSENTIAL, TEMPLATES, Category, Links, Unsubscribe, UnknownTemplate,
                                  category_of, make_token, read_token)
from i18n.mail import html_of, render, templates, unsubscribe_footer

ROOT = Path(__file__).resolve().parents[2] / "i18n" / "mail"
KEY = "k" * 40


def test_every_template_has_a_category_or_is_essential():
    missing = sorted(set(templates()) - set(TEMPLATES))
    assert missing == [], f"add these templates to domain.notifications.TEMPLATES: {missing}"
    assert all(v == ESSENTIAL or isinstance(v, Category) for v in TEMPLATES.values())
    with pytest.raises(UnknownTemplate):
        category_of("no_such_template")


def test_legal_and_security_mail_is_essential_and_marketing_is_off_by_default():
    for template in ("magic_link", "password_reset", "password_changed", "payment_receipt", "verify_email",
                     "two_factor_disabled", "invitation", "email_changed_notice", "payment_method_expiring"):
        assert category_of(template) is None, template
    assert category_of("order_shipped") is Category.SHIPPING and category_of("invoice_overdue") is Category.INVOICES
    assert DEFAULTS[Category.MARKETING] is False and sum(DEFAULTS.values()) == len(Category) - 1


def test_a_token_reads_back_only_unchanged_and_with_the_same_key():
    u = Unsubscribe(7, Category.SHIPPING, 123)
    token = make_token(KEY, u)
    assert read_token(KEY, token) == u
    payload, _, signature = token.rpartition(".")
    for forged in (token.replace("SHIPPING", "INVOICES"), token.replace("7.", "8.", 1),
                   token.replace(".123.", ".124."), payload + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
                   payload, "", "x" * 500, "7.SHIPPING.123." + "A" * 27, "ü.ß"):
        assert read_token(KEY, forged) is None, forged
    assert read_token("other-key-" + KEY, token) is None
    retired = "7.NEWSLETTER.123"  # signed by us, of a category that no longer exists
    assert read_token(KEY, f"{retired}.{make_token(KEY, u).rpartition('.')[2]}") is None
    from domain.notifications import _sign  # noqa: PLC0415
    assert read_token(KEY, f"{retired}.{_sign(KEY, retired)}") is None
    assert Links("https://portal.example/", KEY).url(u) == f"https://portal.example/unsubscribe/{token}"


def test_html_escapes_text_and_links_web_addresses_only():
    body = ("Hello <b>Jo</b> & co,\n\nsee https://portal.example/x?a=1&b=<2> now.\n"
            "javascript:alert(1) \"quoted\"\nsecond line\n\n\nlast")
    page = html_of(body, "Subject <i>", "de_AT")
    assert "<b>" not in page and "&lt;b&gt;Jo&lt;/b&gt; &amp; co" in page
    assert '<a href="https://portal.example/x?a=1&amp;b=">https://portal.example/x?a=1&amp;b=</a>&lt;2&gt; now.' in page
    assert 'href="javascript' not in page and "&quot;quoted&quot;<br>\nsecond line" in page
    assert page.count("<p>") == 3 and '<html lang="de-AT">' in page and "<title>Subject &lt;i&gt;</title>" in page


NEW = {
    "order_placed": {"name": "Jo", "number": "100042", "po_number": "PO-7", "placed_on": "15. Juni 2026",
                     "location": "Berlin", "status": "…", "lines": "2 × Bolt (B-1): 4,00 €", "subtotal": "4,00 €",
                     "tax": "0,76 €", "total": "4,76 €"},
    "order_shipped": {"name": "Jo", "number": "100042", "po_number": "-", "carrier": "DHL", "tracking_number": "1234",
                      "tracking_url": "https://www.dhl.com/x", "shipped_on": "1. Juni 2026",
                      "estimated_delivery": "-", "lines": "2 × Bolt (B-1)"},
    "order_delivered": {"name": "Jo", "number": "100042", "po_number": "-", "carrier": "DHL", "tracking_number": "1234",
                        "delivered_on": "2. Juni 2026"},
    "quote_requested": {"number": "100042", "account": "Acme", "location": "Denver", "requested_by": "Bob",
                        "requested_on": "1. Juni 2026", "note": "-", "lines": "600 × Bolt (B-1)"},
}


@pytest.mark.parametrize("template", sorted(NEW))
@pytest.mark.parametrize("locale", ["en", "de"])
def test_new_templates_render_in_both_languages(template, locale):
    text = (ROOT / template / f"{locale}.txt").read_text(encoding="utf-8")
    fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    assert fields == set(NEW[template]), fields ^ set(NEW[template])
    rendered = render(template, locale, NEW[template])
    assert rendered.locale == locale and "100042" in rendered.subject + rendered.body


def test_the_footer_names_the_category_in_the_recipients_language():
    assert "Versand und Zustellung" in unsubscribe_footer("de_AT", "SHIPPING", "https://x/unsubscribe/t")
    assert unsubscribe_footer("fr", "INVOICES", "https://x/u").endswith("with one click: https://x/u")
