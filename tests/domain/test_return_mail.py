"""Every return email exists in English and German and fills from the parameters it is queued with."""
from pathlib import Path

import pytest

from domain.return_mail import TEMPLATES

ROOT = Path(__file__).resolve().parents[2] / "i18n" / "mail"
PARAMS = {"name": "Jo", "return_number": "RMA-1-1", "order_number": "1", "date": "1. Juni 2026", "note": "-",
          "amount": "12,00 €"}


@pytest.mark.parametrize("template", sorted(TEMPLATES.values()))
@pytest.mark.parametrize("locale", ["en", "de"])
def test_template_renders(template, locale):
    text = (ROOT / template / f"{locale}.txt").read_text(encoding="utf-8")
    subject, blank, *body = text.format_map(PARAMS).split("\n")
    assert subject.startswith("Subject: ") and len(subject) > 12 and blank == ""
    assert "RMA-1-1" in "\n".join(body) and "{" not in text.format_map(PARAMS)
