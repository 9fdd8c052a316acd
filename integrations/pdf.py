"""Documents as PDF with xhtml2pdf: one HTML page per document kind, written here with every
customer-given text escaped, in the fonts under integrations/fonts/ (embedded TrueType).

The fonts are one CSS font-family list, DejaVu Sans then Droid Sans Fallback: xhtml2pdf draws each
character with the first family that has it, so Latin, Polish, Czech and Turkish come from DejaVu
and Chinese and Japanese from Droid, whatever the document's language (a Latin customer name on a
Japanese invoice, a Chinese one on a German invoice). xhtml2pdf registers a font file with
reportlab once per process and reuses it for every later document."""
import io
import logging
import threading
from collections.abc import Iterable
from decimal import Decimal
from html import escape
from pathlib import Path

from reportlab import rl_config
from stdnum import iban as iban_number
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.tables import CellStyle
from xhtml2pdf import pisa

from domain.documents import (CreditNoteDocument, Document, DocumentLine, InvoiceDocument, Party,
                              ReceiptDocument, StatementDocument, TaxLine)
from domain.bank_transfer import BankAccount, PaymentInstructions
from domain.money import display_amount
from i18n.documents import country_name, labels
from i18n.formatting import format_date, format_money, format_number, format_rate

FONTS = Path(__file__).resolve().parent / "fonts"
# Bump when the layout changes: kept PDFs of another version are rendered again.
VERSION = "2"
# reportlab starts every page and every table cell by selecting its base font (Helvetica: a font
# dictionary of a font not embedded, drawing nothing): ours instead, so the PDF names embedded
# fonts only.
BASE_FONT = "PortalqlBase"

log = logging.getLogger("portalql.pdf")


class RenderError(Exception):
    """xhtml2pdf could not lay the document out."""


# reportlab's font registry, its base font and xhtml2pdf's caches are process-wide: one render at
# a time in the process, whichever renderer asks. It also keeps a burst of downloads from taking
# every core.
_RENDERING = threading.Lock()


class XhtmlPdfRenderer:
    version = VERSION

    def render(self, document: Document, locale: str) -> bytes:
        page = html_of(document, locale)
        out = io.BytesIO()
        with _RENDERING:
            if BASE_FONT not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(BASE_FONT, str(FONTS / "DejaVuSans.ttf")))
            before = rl_config.canvas_basefontname, CellStyle.fontname
            rl_config.canvas_basefontname = CellStyle.fontname = BASE_FONT
            try:
                status = pisa.CreatePDF(page, dest=out, encoding="utf-8")
            finally:
                rl_config.canvas_basefontname, CellStyle.fontname = before
        if status.err:
            raise RenderError(f"{document.kind} {getattr(document, 'id', '')}: {status.err} layout errors")
        return out.getvalue()


def html_of(document: Document, locale: str) -> str:
    t = labels(locale)
    if isinstance(document, InvoiceDocument):
        body = _invoice(document, locale, t)
    elif isinstance(document, CreditNoteDocument):
        body = _credit_note(document, locale, t)
    elif isinstance(document, ReceiptDocument):
        body = _receipt(document, locale, t)
    else:
        body = _statement(document, locale, t)
    return _PAGE.format(lang=locale, css=_css(), body=body, page=_e(t["page"]))


def _e(value: object) -> str:
    """Customer- and merchant-given text, escaped (a name like '<b>Acme</b>' prints as written)."""
    return escape(str(value), quote=True)


def _css() -> str:
    faces = [("PortalqlSans", "DejaVuSans.ttf", "normal"), ("PortalqlSans", "DejaVuSans-Bold.ttf", "bold"),
             ("PortalqlCJK", "DroidSansFallbackFull.ttf", "normal")]  # no bold face: bold CJK is the regular one
    declared = "".join(f'@font-face {{ font-family: {family}; src: url("{(FONTS / file).as_posix()}"); '
                       f"font-weight: {weight}; }}\n" for family, file, weight in faces)
    return declared + _STYLE


_STYLE = """
@page { size: a4 portrait; margin: 1.8cm 1.6cm 2.2cm 1.6cm;
        @frame footer { -pdf-frame-content: footer; bottom: 0.9cm; margin-left: 1.6cm; margin-right: 1.6cm;
                        height: 0.8cm; } }
body { font-family: PortalqlSans, PortalqlCJK; font-size: 9pt; color: #222222; line-height: 1.3; }
h1 { font-size: 20pt; margin: 0 0 4pt 0; color: #1b3a5c; }
.status { font-size: 11pt; font-weight: bold; color: #a61b1b; }
.muted { color: #666666; }
.party-title { font-size: 8pt; color: #666666; }
.party-name { font-size: 10pt; font-weight: bold; }
table.meta td { padding: 1pt 0; }
table.lines { margin-top: 14pt; }
table.lines th { background-color: #1b3a5c; color: #ffffff; padding: 4pt 3pt 2pt 3pt; text-align: left; }
table.lines th.num { text-align: right; }
table.lines td { padding: 4pt 3pt 2pt 3pt; border-bottom: 0.5pt solid #cccccc; vertical-align: top; }
table.totals td { padding: 2pt 3pt; }
.num { text-align: right; }
.grand td.sum { font-weight: bold; font-size: 11pt; border-top: 1pt solid #1b3a5c; }
.note { margin-top: 12pt; padding: 6pt; border: 0.5pt solid #cccccc; }
#footer { font-size: 8pt; color: #666666; text-align: right; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><style>
{css}</style></head><body>
<div id="footer">{page} <pdf:pagenumber> / <pdf:pagecount></div>
{body}
</body></html>"""


def _money(amount: Decimal, currency: str, locale: str) -> str:
    return _e(format_money(amount, currency, locale))


def _price(amount: Decimal, currency: str, locale: str) -> str:
    """A unit price with every digit it was computed with, so a line can be checked by hand."""
    return _e(format_money(display_amount(amount, currency), currency, locale, exact=True))


def _party(title: str, party: Party, locale: str, t: dict[str, str]) -> str:
    lines = [f'<div class="party-title">{_e(title)}</div>', f'<div class="party-name">{_e(party.name)}</div>']
    lines += [f"<div>{_e(line)}</div>" for line in party.address]
    if party.country:
        lines.append(f"<div>{_e(country_name(party.country, locale))}</div>")
    if party.tax_id:
        lines.append(f"<div>{_e(t['tax_id'])}: {_e(party.tax_id)}</div>")
    return "".join(lines)


def _header(title: str, status: str | None, meta: Iterable[tuple[str, str | None]], seller: Party,
            buyer: Party, locale: str, t: dict[str, str]) -> str:
    rows = "".join(f'<tr><td class="muted" width="45%">{_e(k)}</td><td>{_e(v)}</td></tr>' for k, v in meta if v)
    stamp = f'<div class="status">{_e(status)}</div>' if status else ""
    return f"""
<table><tr>
  <td width="55%" valign="top"><h1>{_e(title)}</h1>{stamp}</td>
  <td width="45%" valign="top"><table class="meta">{rows}</table></td>
</tr></table>
<table style="margin-top: 14pt"><tr>
  <td width="50%" valign="top">{_party(t['seller'], seller, locale, t)}</td>
  <td width="50%" valign="top">{_party(t['bill_to'], buyer, locale, t)}</td>
</tr></table>"""


def _lines(lines: tuple[DocumentLine, ...], currency: str, locale: str, t: dict[str, str]) -> str:
    head = (f'<tr><th width="52%">{_e(t["description"])}</th><th width="12%" class="num">{_e(t["quantity"])}</th>'
            f'<th width="18%" class="num">{_e(t["unit_price"])}</th><th width="18%" class="num">{_e(t["amount"])}</th></tr>')
    body = "".join(f'<tr><td>{_e(line.description)}{_gross(line, currency, locale, t)}</td>'
                   f'<td class="num">{_e(format_number(line.quantity, locale))}</td>'
                   f'<td class="num">{_price(line.unit_price, currency, locale)}{"*" if line.tax_included else ""}</td>'
                   f'<td class="num">{_money(line.amount, currency, locale)}</td></tr>' for line in lines)
    return f'<table class="lines" repeat="1">{head}{body}</table>'


def _gross(line: DocumentLine, currency: str, locale: str, t: dict[str, str]) -> str:
    """Under a line priced with tax (its unit price marked *): quantity × unit price is the gross,
    less the tax taken out of it is the net amount printed, which adds up to the subtotal."""
    if not line.tax_included:
        return ""
    rate = f" {format_rate(line.tax_rate, locale)}" if line.tax_rate is not None else ""
    return (f'<br/><span class="muted">* {_e(t["price_incl_tax"])}{_e(rate)}: {_money(line.gross, currency, locale)}'
            f' − {_e(t["tax"])} {_money(line.tax, currency, locale)}</span>')


def _totals(rows: list[tuple[str, str, bool]]) -> str:
    out = "".join(f'<tr class="{"grand" if grand else ""}"><td width="56%"></td><td width="26%" class="sum">{_e(k)}</td>'
                  f'<td width="18%" class="num sum">{v}</td></tr>' for k, v, grand in rows)
    return f'<table class="totals" style="margin-top: 8pt">{out}</table>'


def _tax_rows(taxes: tuple[TaxLine, ...], currency: str, locale: str, t: dict[str, str]) -> list[tuple[str, str, bool]]:
    return [(f"{t['tax']} {tax.name + ' ' if tax.name else ''}"
             f"{format_rate(tax.rate, locale) + ' ' if tax.rate is not None else ''}"
             f"({format_money(tax.base, currency, locale)})", _money(tax.amount, currency, locale), False)
            for tax in taxes]


def _note(title: str, text: str | None) -> str:
    if not text:
        return ""
    return f'<div class="note"><b>{_e(title)}</b><br/>{_e(text).replace(chr(10), "<br/>")}</div>'


def _invoice(doc: InvoiceDocument, locale: str, t: dict[str, str]) -> str:
    c = doc.currency
    status = {"DRAFT": t["draft"], "VOID": t["void"], "PAID": t["paid"]}.get(doc.status.value)
    meta = [(t["number"], doc.number), (t["issue_date"], format_date(doc.issued_on, locale)),
            (t["due_date"], format_date(doc.due_date, locale) if doc.due_date else None),
            (t["po_number"], doc.po_number), (t["order_number"], doc.order_number)]
    totals = [(t["subtotal"], _money(doc.subtotal, c, locale), False), *_tax_rows(doc.taxes, c, locale, t)]
    if not doc.taxes:
        totals.append((t["tax"], _money(doc.tax, c, locale), False))
    totals.append((t["total"], _money(doc.total, c, locale), True))
    if doc.amount_paid:
        totals.append((t["amount_paid"], _money(doc.amount_paid, c, locale), False))
    totals.append((t["amount_due"], _money(doc.amount_due, c, locale), True))
    notes = ""
    if doc.reverse_charge:
        notes += f'<div class="note"><b>{_e(t["reverse_charge"])}</b></div>'
    if doc.tax_exempt:
        notes += _note(t["tax_exempt"], doc.tax_exempt)
    notes += _note(t["payment_instructions"], _transfer(doc.payment_instructions, t))
    return (_header(t["invoice"], status, meta, doc.seller, doc.buyer, locale, t)
            + _lines(doc.lines, c, locale, t) + _totals(totals) + notes)


def _bank_lines(bank: BankAccount | PaymentInstructions | None, t: dict[str, str]) -> str | None:
    if bank is None:
        return None
    lines = [f'{t["bank"]}: {bank.bank_name}', f'{t["account_holder"]}: {bank.account_holder}',
             f"IBAN: {iban_number.format(bank.iban)}"] + ([f"BIC: {bank.bic}"] if bank.bic else [])
    return "\n".join(lines)


def _transfer(given: PaymentInstructions | None, t: dict[str, str]) -> str | None:
    """The invoice's transfer instructions, with the reference to quote."""
    return None if given is None else f'{_bank_lines(given, t)}\n{t["reference"]}: {given.reference}'


def _credit_note(doc: CreditNoteDocument, locale: str, t: dict[str, str]) -> str:
    c = doc.currency
    # "date", not "issue_date": several languages' issue date reads "invoice date" (Rechnungsdatum).
    meta = [(t["number"], doc.number), (t["date"], format_date(doc.issued_on, locale)),
            (t["original_invoice"], doc.invoice_number)]
    totals = [(t["subtotal"], _money(doc.subtotal, c, locale), False), *_tax_rows(doc.taxes, c, locale, t),
              (t["total"], _money(doc.total, c, locale), True)]
    # Where the total went: these three add up to it.
    totals += [(t[key], _money(amount, c, locale), False) for key, amount in
               (("applied_to_invoice", doc.amount_applied), ("to_account_credit", doc.amount_credited),
                ("refunded", doc.amount_refunded)) if amount]
    reason = t.get(f"reason_{doc.reason.lower()}", doc.reason) if doc.reason else None
    return (_header(t["credit_note"], t["void"] if doc.void else None, meta, doc.seller, doc.buyer, locale, t)
            + _lines(doc.lines, c, locale, t) + _totals(totals) + _note(t["reason"], reason)
            + _note(t["memo"], doc.memo))


def _receipt(doc: ReceiptDocument, locale: str, t: dict[str, str]) -> str:
    c = doc.currency
    meta = [(t["number"], doc.number), (t["date"], format_date(doc.paid_on, locale)),
            (t["invoice"], doc.invoice_number),
            (t["payment_method"], " ".join(x for x in (t.get(f"method_{doc.method.lower()}", doc.method), doc.card) if x)),
            (t["reference"], doc.reference)]
    # A payment of several invoices: what it paid of each.
    each = [(f'{t["invoice"]} {line.invoice_number}', _money(line.amount, c, locale), False) for line in doc.invoices]
    totals = [*each, (t["total"] + " (" + t["invoice"] + ")", _money(doc.invoice_total, c, locale), False),
              (t["amount_received"], _money(doc.amount, c, locale), True),
              (t["balance_due"], _money(doc.balance_due, c, locale), False)]
    return (_header(t["receipt"], None, meta, doc.seller, doc.buyer, locale, t) + _totals(totals)
            + f'<p style="margin-top: 14pt">{_e(t["thanks"])}</p>')


def _statement(doc: StatementDocument, locale: str, t: dict[str, str]) -> str:
    c = doc.currency
    period = f"{format_date(doc.period_from, locale)} – {format_date(doc.period_to, locale)}"
    meta = [(t["period"], period), (t["date"], format_date(doc.period_to, locale))]
    head = (f'<tr><th width="16%">{_e(t["date"])}</th><th width="30%">{_e(t["document"])}</th>'
            f'<th width="18%" class="num">{_e(t["charges"])}</th><th width="18%" class="num">{_e(t["credits"])}</th>'
            f'<th width="18%" class="num">{_e(t["balance"])}</th></tr>')
    opening = (f'<tr><td></td><td><b>{_e(t["opening_balance"])}</b></td><td></td><td></td>'
               f'<td class="num"><b>{_money(doc.opening_balance, c, locale)}</b></td></tr>')
    rows = "".join(f'<tr><td>{_e(format_date(e.on, locale))}</td><td>{_e(t.get(e.document, e.document))} '
                   f'{_e(e.reference)}</td><td class="num">{_money(e.charge, c, locale) if e.charge else ""}</td>'
                   f'<td class="num">{_money(e.credit, c, locale) if e.credit else ""}</td>'
                   f'<td class="num">{_money(e.balance, c, locale)}</td></tr>' for e in doc.entries)
    closing = (f'<tr><td></td><td><b>{_e(t["closing_balance"])}</b></td><td></td><td></td>'
               f'<td class="num"><b>{_money(doc.closing_balance, c, locale)}</b></td></tr>')
    return (_header(t["statement"], None, meta, doc.seller, doc.buyer, locale, t)
            + f'<table class="lines" repeat="1">{head}{opening}{rows}{closing}</table>'
            + _note(t["payment_instructions"], _bank_lines(doc.seller.bank, t)))
