"""Email templates: i18n/mail/<template>/<locale>.txt, one file per template and locale.

The first line is `Subject: ...`, then a blank line, then the body. `{name}` placeholders are
filled with str.format_map from the message's params. A missing locale falls back to the
language ('de' for 'de_AT') and then to English.

Each message is sent as plain text and as HTML made from that text (`html_of`): every character
escaped, blank lines making paragraphs, web addresses made links. One text per template and
language, so the two versions never say different things."""
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from i18n.locales import candidates

ROOT = Path(__file__).parent / "mail"


class TemplateError(Exception):
    """A template that does not exist, is malformed, or names a parameter not given."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str
    locale: str


@lru_cache(maxsize=256)
def _load(template: str, locale: str) -> tuple[str, str] | None:
    path = ROOT / template / f"{locale}.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    if not sep or not head.startswith("Subject: ") or "\n" in head:
        raise TemplateError(f"{path}: the first line must be 'Subject: ...', then a blank line")
    return head.removeprefix("Subject: ").strip(), body


def templates() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if p.is_dir())


class _Dropped(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def subject(template: str, locale: str | None, params: dict[str, Any]) -> str:
    """Only the subject line (lists of messages whose secret parameters were dropped after sending)."""
    for candidate in candidates(locale):
        found = _load(template, candidate) if template.replace("_", "").isalnum() else None
        if found is not None:
            try:
                return found[0].format_map(_Dropped(params))
            except (IndexError, ValueError):
                return found[0]
    raise TemplateError(f"no template {template!r}")


def render(template: str, locale: str | None, params: dict[str, Any]) -> RenderedMail:
    if not template.replace("_", "").isalnum():
        raise TemplateError(f"bad template name {template!r}")
    for candidate in candidates(locale):
        found = _load(template, candidate)
        if found is None:
            continue
        subject, body = found
        try:
            return RenderedMail(subject.format_map(params), body.format_map(params), candidate)
        except (KeyError, IndexError, ValueError) as e:
            raise TemplateError(f"{template}/{candidate}: missing or bad parameter {e}") from None
    raise TemplateError(f"no template {template!r}")


_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_STYLE = "font-family: sans-serif; font-size: 15px; line-height: 1.5; color: #222"


def _linked(text: str) -> str:
    """The text escaped, its http(s) addresses as links (nothing else becomes markup)."""
    out, at = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[at:m.start()]))
        url = html.escape(m.group(0), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        at = m.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def html_of(body: str, subject: str, locale: str) -> str:
    """The HTML version of a rendered text body: paragraphs at blank lines, line breaks kept."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", body) if p.strip()]
    inner = "\n".join("<p>" + "<br>\n".join(_linked(line) for line in p.split("\n")) + "</p>" for p in paragraphs)
    lang = html.escape(locale.replace("_", "-"), quote=True)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(subject)}</title>'
            f'</head>\n<body style="{_STYLE}">\n{inner}\n</body></html>\n')


# The line non-essential mail ends with: why it came and the one-click way to stop it.
_FOOTER = {
    "en": "You receive this email because of your notification settings ({category}). "
          "To stop emails of this kind, with one click: {url}",
    "de": "Sie erhalten diese E-Mail wegen Ihrer Benachrichtigungseinstellungen ({category}). "
          "Solche E-Mails mit einem Klick abbestellen: {url}",
}
CATEGORY_LABELS = {
    "en": {"ORDER_CONFIRMATION": "order confirmations", "SHIPPING": "shipping and delivery",
           "APPROVALS": "orders waiting for your approval", "QUOTES": "quotes ready",
           "INVOICES": "invoices and payment reminders", "SUBSCRIPTION_RENEWALS": "subscription renewal notices",
           "SUPPORT_REPLIES": "support replies", "MARKETING": "news and offers"},
    "de": {"ORDER_CONFIRMATION": "Bestellbestätigungen", "SHIPPING": "Versand und Zustellung",
           "APPROVALS": "Bestellungen, die auf Ihre Freigabe warten", "QUOTES": "fertige Angebote",
           "INVOICES": "Rechnungen und Zahlungserinnerungen", "SUBSCRIPTION_RENEWALS": "Hinweise zu Abo-Verlängerungen",
           "SUPPORT_REPLIES": "Antworten des Supports", "MARKETING": "Neuigkeiten und Angebote"},
}


def _texts(table: dict[str, Any], locale: str | None) -> Any:
    return next(table[c] for c in candidates(locale) if c in table)


def category_label(category: str, locale: str | None) -> str:
    return _texts(CATEGORY_LABELS, locale).get(category, category)


def unsubscribe_footer(locale: str | None, category: str, url: str) -> str:
    return _texts(_FOOTER, locale).format(category=category_label(category, locale), url=url)
