"""Plain rules of identity: passwords, emails, templates, formatting."""
from datetime import date
from decimal import Decimal

import pytest

from domain.identity.emails import normalize_email
from domain.errors import Rejected
from domain.identity.errors import CredentialsErrorCode
from domain.identity.passwords import password_problem
from i18n.formatting import format_date, format_money
from i18n.mail import TemplateError, render, templates


@pytest.mark.parametrize("password", ["short", "1234567890", "Password123", "aaaaaaaaaaaa", "x" * 257,
                                      "jo.doe.secret!", ])
def test_weak_passwords(password):
    assert password_problem(password, "jo.doe@example.com", "Jo Doe")


def test_good_password():
    assert password_problem("correct horse battery staple", "jo@example.com") is None


@pytest.mark.parametrize("email", ["", "a", "a@b", "a b@example.com", "a@exa mple.com", "<a@example.com>",
                                   "a" * 250 + "@example.com"])
def test_malformed_emails(email):
    with pytest.raises(Rejected) as refused:
        normalize_email(email)
    assert refused.value.code is CredentialsErrorCode.INVALID_EMAIL


def test_email_is_normalized():
    assert normalize_email("  Jo.Doe@Example.COM ") == "jo.doe@example.com"


def test_every_template_has_english_and_german_with_the_same_placeholders():
    import re
    from pathlib import Path

    root = Path(render.__code__.co_filename).parent / "mail"
    for name in templates():
        en, de = ((root / name / f"{loc}.txt").read_text() for loc in ("en", "de"))
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", de)), name


def test_render_falls_back_to_english_and_reports_missing_parameters():
    assert render("password_changed", "fr", {"name": "Jo"}).locale == "en"
    with pytest.raises(TemplateError):
        render("password_changed", "en", {})
    with pytest.raises(TemplateError):
        render("../etc", "en", {})


def test_money_and_dates_by_locale():
    assert format_money(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"
    assert format_money(Decimal("1234.5"), "USD", "en") == "$1,234.50"
    assert format_date(date(2026, 6, 15), "de") == "15.06.2026"
