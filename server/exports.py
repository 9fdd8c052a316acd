"""CSV exports, streamed: GET /exports/invoices.csv, /exports/invoice-lines.csv (the filters of
the invoice search as query parameters) and /exports/statement.csv?account=&from=&to=[&currency=],
with 'Authorization: Bearer <token>'. Who may export is who may read the rows in GraphQL: ADMIN
and ACCOUNTS_PAYABLE (integrations: invoices:read), only the invoices of their accounts and
locations. Rows are read from the database in batches while the response is written, so an export
of any size takes the memory of one batch (docs/invoice-search-and-export.md)."""
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from db.enums import InvoiceStatus
from domain.ratelimit import Throttled
from schema.requests import Context, InvoiceFilter, InvoiceSortKey, SortDirection, invoice_exports, invoice_filter
from server.downloads import error, request_context


class BadQuery(ValueError):
    """A query parameter that cannot be read: the message is shown to the caller."""


def _datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)  # a date alone is its midnight
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


def _bool(text: str) -> bool:
    if text.lower() not in ("true", "false", "1", "0"):
        raise ValueError(text)
    return text.lower() in ("true", "1")


def _statuses(text: str) -> list[InvoiceStatus]:
    return [InvoiceStatus(s.strip().upper()) for s in text.split(",") if s.strip()]


# The invoice search's filter fields, under their GraphQL names.
_FILTER: dict[str, tuple[str, Callable[[str], Any]]] = {
    "status": ("status", _statuses), "issuedAfter": ("issued_after", _datetime),
    "issuedBefore": ("issued_before", _datetime), "dueAfter": ("due_after", date.fromisoformat),
    "dueBefore": ("due_before", date.fromisoformat), "minTotal": ("min_total", _decimal),
    "maxTotal": ("max_total", _decimal), "number": ("number", str), "orderNumber": ("order_number", str),
    "poNumber": ("po_number", str), "locationId": ("location_id", str), "search": ("search", str),
    "overdue": ("overdue", _bool),
}
_SORT = {"sortBy": lambda t: InvoiceSortKey(t.upper()), "direction": lambda t: SortDirection(t.upper())}


def _read(name: str, text: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(text)
    except (ValueError, InvalidOperation):
        raise BadQuery(f"Cannot read {name}={text[:60]!r}") from None


def _invoice_query(params: Any) -> tuple[InvoiceFilter, dict[str, Any], str | None]:
    fields: dict[str, Any] = {}
    sort: dict[str, Any] = {}
    account = None
    for name in params:
        if name == "accountId":
            account = params[name]
        elif name in _FILTER:
            attr, parse = _FILTER[name]
            fields[attr] = _read(name, params[name], parse)
        elif name in _SORT:
            sort["sort_by" if name == "sortBy" else "direction"] = _read(name, params[name], _SORT[name])
        else:
            raise BadQuery(f"Unknown parameter {name[:40]!r}")
    return InvoiceFilter(**fields), sort, account


def _csv(chunks: AsyncIterator[str], filename: str) -> StreamingResponse:
    async def encoded() -> AsyncIterator[bytes]:
        async for chunk in chunks:
            yield chunk.encode()
    return StreamingResponse(encoded(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{filename}"',
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
    })


async def _allowed(graphql: Any, request: Request) -> Context | Response:
    """The caller's context, or the 401 or 429 to answer."""
    ctx = await request_context(graphql, request)
    if isinstance(ctx, Response):
        return ctx
    subject = f"{ctx.caller.kind.value}:{ctx.caller.user_id or ctx.caller.session_id}"
    try:
        await ctx.limiter.hit("export", ctx.now, subject=subject, ip=ctx.client_ip)
    except Throttled as t:
        return error(429, "THROTTLED", "Too many exports: try again later", **{"retry-after": str(t.retry_after)})
    return ctx


_FORBIDDEN = "Invoices need the ADMIN or ACCOUNTS_PAYABLE role (integrations: the invoices:read scope)"


def invoice_export_route(graphql: Any, lines: bool) -> Any:
    """GET /exports/invoices.csv or /exports/invoice-lines.csv?<filter>&sortBy=&direction=&accountId="""
    stream = invoice_exports.invoice_lines_csv if lines else invoice_exports.invoices_csv

    async def endpoint(request: Request) -> Response:
        ctx = await _allowed(graphql, request)
        if isinstance(ctx, Response):
            return ctx
        if not invoice_exports.may_read_invoices(ctx):
            return error(403, "FORBIDDEN", _FORBIDDEN)
        try:
            given, sort, account_gid = _invoice_query(request.query_params)
            fixed: dict[str, Any] = {}
            if account_gid is not None:
                account = await invoice_exports.visible_account(ctx, account_gid)
                if account is None:
                    return error(404, "NOT_FOUND", "No account with that ID")
                fixed["account_ids"] = (account.id,)
            found = invoice_exports.checked_filter(invoice_filter(given, ctx.now.date(), **sort, **fixed))
        except BadQuery as e:
            return error(400, "BAD_USER_INPUT", str(e))
        except GraphQLError as e:
            return error(400, (e.extensions or {}).get("code", "BAD_USER_INPUT"), e.message)
        name = "invoice-lines" if lines else "invoices"
        return _csv(stream(ctx, found), f"{name}-{ctx.now.date().isoformat()}.csv")
    return endpoint


async def statement_query(ctx: Context, params: Any, *optional: str) -> tuple[Any, Any, str] | Response:
    """(account, period, currency) of ?account=&from=&to=[&currency=] (and the `optional` names),
    or the 400, 403 or 404 to answer: who may read `Account.statement` may export or print it."""
    try:
        unknown = set(params) - {"account", "from", "to", "currency", *optional}
        if unknown or not all(params.get(k) for k in ("account", "from", "to")):
            raise BadQuery("Give account, from and to (and currency, if not the account's)")
        start = _read("from", params["from"], date.fromisoformat)
        end = _read("to", params["to"], date.fromisoformat)
        account = await invoice_exports.visible_account(ctx, params["account"])
        if account is None:
            return error(404, "NOT_FOUND", "No account with that ID")
        if not invoice_exports.may_read_statement(ctx, account):
            return error(403, "FORBIDDEN", _FORBIDDEN.replace("Invoices", "Statements"))
        span = invoice_exports.statement_period(start, end)
        currency = invoice_exports.statement_currency(account, params.get("currency"))
    except BadQuery as e:
        return error(400, "BAD_USER_INPUT", str(e))
    except GraphQLError as e:
        return error(400, (e.extensions or {}).get("code", "BAD_USER_INPUT"), e.message)
    return account, span, currency


def statement_export_route(graphql: Any) -> Any:
    """GET /exports/statement.csv?account=<Account ID>&from=YYYY-MM-DD&to=YYYY-MM-DD[&currency=USD]"""

    async def endpoint(request: Request) -> Response:
        ctx = await _allowed(graphql, request)
        if isinstance(ctx, Response):
            return ctx
        query = await statement_query(ctx, request.query_params)
        if isinstance(query, Response):
            return query
        account, span, currency = query
        return _csv(invoice_exports.statement_csv(ctx, account, span, currency),
                    f"statement-{account.id}-{currency}-{span.start.isoformat()}-{span.end.isoformat()}.csv")
    return endpoint
