"""The pages of one-click unsubscribe links (/unsubscribe/<token>), in English and German."""
import html
from typing import Any

from i18n.locales import candidates
from i18n.mail import category_label

TEXTS: dict[str, dict[str, str]] = {
    "en": {"title": "Unsubscribe", "confirm": "Stop sending {category} to {email}?",
           "button": "Unsubscribe",
           "other": "This changes only this kind of email. Receipts, sign-in links and security notices are "
                    "always sent; every other setting is in the portal under your notification preferences.",
           "done": "Done: {email} no longer receives {category}.",
           "INVALID_TOKEN": "This unsubscribe link is not valid. Change your notification preferences in the "
                            "portal instead.",
           "USED_TOKEN": "This unsubscribe link was used already. Your notification preferences are in the portal.",
           "THROTTLED": "Too many attempts: try again in a few minutes."},
    "de": {"title": "Abbestellen", "confirm": "{category} nicht mehr an {email} senden?",
           "button": "Abbestellen",
           "other": "Das ändert nur diese Art von E-Mails. Belege, Anmeldelinks und Sicherheitshinweise werden "
                    "immer gesendet; alle anderen Einstellungen finden Sie im Portal unter Benachrichtigungen.",
           "done": "Erledigt: {email} erhält keine {category} mehr.",
           "INVALID_TOKEN": "Dieser Abmeldelink ist ungültig. Ändern Sie Ihre Benachrichtigungen bitte im Portal.",
           "USED_TOKEN": "Dieser Abmeldelink wurde bereits verwendet. Ihre Benachrichtigungen finden Sie im Portal.",
           "THROTTLED": "Zu viele Versuche: bitte in ein paar Minuten erneut."},
}


def _texts(locale: str | None) -> tuple[str, dict[str, str]]:
    lang = next(c for c in candidates(locale) if c in TEXTS)
    return lang, TEXTS[lang]


def _page(lang: str, title: str, inner: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            f'</head>\n<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">\n{inner}\n</body></html>\n')


def _fill(text: str, **params: Any) -> str:
    return text.format(**{k: html.escape(str(v)) for k, v in params.items()})


def confirm_page(locale: str | None, category: str, email: str) -> str:
    """The page a click on the link opens: one button that posts the one-click form (RFC 8058)."""
    lang, t = _texts(locale)
    label = category_label(category, lang)
    return _page(lang, t["title"], f"<h1>{html.escape(t['title'])}</h1>\n"
                 f"<p>{_fill(t['confirm'], category=label, email=email)}</p>\n"
                 '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
                 f'<button type="submit">{html.escape(t["button"])}</button></form>\n'
                 f"<p>{html.escape(t['other'])}</p>")


def done_page(locale: str | None, category: str, email: str) -> str:
    lang, t = _texts(locale)
    return _page(lang, t["title"], f"<h1>{html.escape(t['title'])}</h1>\n"
                 f"<p>{_fill(t['done'], category=category_label(category, lang), email=email)}</p>\n"
                 f"<p>{html.escape(t['other'])}</p>")


def error_page(locale: str | None, code: str) -> str:
    lang, t = _texts(locale)
    return _page(lang, t["title"], f"<h1>{html.escape(t['title'])}</h1>\n"
                 f'<p data-code="{html.escape(code)}">{html.escape(t.get(code, code))}</p>')
