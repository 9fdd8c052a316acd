"""CSV exports for accounting imports (NetSuite, QuickBooks, DATEV-style tools): the columns of
invoices, invoice lines and statements, and the rows of each, written batch by batch so that an
export of any size is streamed (docs/invoice-search-and-export.md lists the columns).

Dates are ISO 8601 (UTC), amounts plain decimals with a point and the currency's minor digits
(unit prices keep up to four places where they carry value), tax rates in percent. Text that a
spreadsheet would take for a formula is defused as OWASP advises (see `cell`)."""
import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from db.repositories.billing import ExportInvoice, ExportLine
from domain.money import display_amount, round_to_minor
from domain.statements import Period, Running, StatementLine

INVOICE_COLUMNS = ("invoice_number", "status", "issue_date", "due_date", "paid_date", "customer_id", "customer",
                   "customer_tax_id", "location", "po_number", "order_number", "currency", "subtotal", "tax",
                   "total", "amount_paid", "amount_credited", "amount_due")
LINE_COLUMNS = ("invoice_number", "issue_date", "customer", "currency", "line_no", "sku", "description",
                "quantity", "unit_price", "net", "tax_rate_percent", "tax", "gross")
STATEMENT_COLUMNS = ("date", "type", "reference", "invoice_number", "currency", "debit", "credit", "balance")

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets
# (OWASP, CSV Injection): it gets a leading apostrophe, which shows the text as it is.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(text: str | None) -> str:
    """A text cell (a name, PO number, description): defused if it could start a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _amount(value: Decimal, currency: str) -> str:
    return str(round_to_minor(value, currency))


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as RFC 4180 CSV (comma, double quotes where needed, CRLF)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def header(columns: Sequence[str]) -> str:
    return csv_text([columns])


def invoice_rows(batch: Iterable[ExportInvoice]) -> Iterable[list[str]]:
    for found in batch:
        i, cur = found, found.currency
        yield [cell(i.number), i.status.value, i.issued_at.date().isoformat(), i.due_date.isoformat(),
               i.paid_at.date().isoformat() if i.paid_at else "", str(i.account_id), cell(i.account_name),
               cell((i.billing_details or {}).get("tax_id")), cell(i.location_name), cell(i.po_number),
               cell(i.order_number), cur, _amount(i.subtotal, cur), _amount(i.tax, cur), _amount(i.total, cur),
               _amount(i.amount_paid, cur), _amount(i.amount_credited, cur), _amount(i.amount_due, cur)]


def line_rows(found: ExportInvoice, lines: Sequence[ExportLine]) -> Iterable[list[str]]:
    """The lines of one invoice, each with the tax it was charged at its own rate (stored per line,
    rounded to the minor unit): the lines' net, tax and gross add up to the invoice's subtotal, tax
    and total. A line priced with tax holds its gross as `amount`: its net is that less its tax."""
    i, cur = found, found.currency
    for number, line in enumerate(lines, start=1):
        tax = round_to_minor(line.tax_amount, cur)
        net = round_to_minor(line.amount, cur) - (tax if line.tax_included else 0)
        percent = str(line.tax_percent.normalize()) if line.tax_percent else "0"
        yield [cell(i.number), i.issued_at.date().isoformat(), cell(i.account_name), cur, str(number),
               cell(line.sku), cell(line.description), str(line.quantity), str(display_amount(line.unit_price, cur)),
               str(net), percent, str(tax), str(net + tax)]


def opening_row(span: Period, currency: str, balance: Decimal) -> list[str]:
    return [span.start.isoformat(), "OPENING_BALANCE", "", "", currency, "", "", _amount(balance, currency)]


def statement_rows(lines: Iterable[StatementLine], currency: str) -> Iterable[list[str]]:
    for line in lines:
        yield [line.at.date().isoformat(), line.kind.value, cell(line.reference), cell(line.invoice_number),
               currency, _amount(line.debit, currency) if line.debit else "",
               _amount(line.credit, currency) if line.credit else "", _amount(line.balance, currency)]


def closing_row(span: Period, running: Running) -> list[str]:
    """The period's sums of debits and credits, and the closing balance."""
    cur = running.currency
    return [span.end.isoformat(), "CLOSING_BALANCE", "", "", cur, _amount(running.debits, cur),
            _amount(running.credits, cur), _amount(running.balance, cur)]
