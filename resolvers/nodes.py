"""node(id:) and nodes(ids:): each type is fetched through its scoped repository."""
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from db.models import Product, ProductVariant
from db.repositories.accounts import AccountRepository, LocationRepository, MembershipRepository
from db.repositories.billing import CreditNoteRepository, InvoiceRepository
from db.repositories.carts import CartRepository
from db.repositories.quotes import QuoteRepository
from db.repositories.catalog import CatalogRepository
from db.repositories.orders import OrderRepository
from db.repositories.payments import PaymentMethodRepository, PaymentRepository
from db.repositories.fulfilment import FulfilmentRepository
from db.repositories.requisitions import RequisitionListRepository
from db.repositories.returns import ReturnRepository
from db.repositories.staff import PriceListRepository
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.knowledge_base import ArticleRepository
from db.repositories.support import TicketRepository
from resolvers.fulfilment import OrderLineFetcher
from resolvers.context import Context
from resolvers.errors import bad_input, not_found, unauthenticated
from resolvers.globalid import decode

MAX_NODES = 100


def _scoped(repo: Any, rows_key: str) -> Callable[[Any, Context], Any]:
    return lambda session, ctx: repo(session, ctx.scope(rows_key))


def _catalog(model: Any) -> Callable[[Any, Context], Any]:
    def make(session: Any, ctx: Context) -> Any:
        repo = CatalogRepository(session, include_inactive=ctx.caller.is_staff)
        if not ctx.caller.is_staff and not ctx.caller.grants:
            return None  # the catalog is for members of an account and staff
        return repo.products_by_id if model is Product else repo.variants_by_id
    return make


# Type name -> how to fetch visible rows of it. A type missing here cannot be fetched by ID.
FETCHERS: dict[str, Callable[[Any, Context], Any]] = {
    "Account": _scoped(AccountRepository, "rows:Account"),
    "Location": _scoped(LocationRepository, "rows:Location"),
    "Membership": _scoped(MembershipRepository, "rows:Membership"),
    "Order": _scoped(OrderRepository, "rows:Order"),
    "Invoice": _scoped(InvoiceRepository, "rows:Invoice"),
    "CreditNote": _scoped(CreditNoteRepository, "rows:CreditNote"),
    "Subscription": _scoped(SubscriptionRepository, "rows:Subscription"),
    "Product": _catalog(Product),
    "ProductVariant": _catalog(ProductVariant),
    "Fulfilment": _scoped(FulfilmentRepository, "rows:Fulfilment"),
    "OrderLine": OrderLineFetcher,
    "Return": _scoped(ReturnRepository, "rows:Return"),
    "RequisitionList": _scoped(RequisitionListRepository, "rows:RequisitionList"),
    "PriceList": _scoped(PriceListRepository, "rows:PriceList"),
    "Cart": _scoped(CartRepository, "rows:Cart"),
    "Quote": _scoped(QuoteRepository, "rows:Quote"),
    "PaymentMethod": _scoped(PaymentMethodRepository, "rows:PaymentMethod"),
    "Payment": _scoped(PaymentRepository, "rows:Invoice"),
    "SupportTicket": _scoped(TicketRepository, "rows:SupportTicket"),
    "KbArticle": lambda session, ctx: ArticleRepository(session, ctx.scope("rows:KbArticle"), True),
}


async def fetch_nodes(ctx: Context, ids: list[str]) -> list[Any]:
    """Rows for `ids` in order; a GraphQLError in place of each that is missing or not visible."""
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    if len(ids) > MAX_NODES:
        raise bad_input(f"At most {MAX_NODES} IDs at once")
    decoded: list[tuple[str, int] | GraphQLError] = []
    wanted: dict[str, set[int]] = defaultdict(set)
    for gid in ids:
        try:
            type_name, pk = decode(gid)
        except GraphQLError as e:
            decoded.append(e)
            continue
        decoded.append((type_name, pk))
        if type_name in FETCHERS:
            wanted[type_name].add(pk)
    found: dict[tuple[str, int], Any] = {}
    async with ctx.db.session() as session:
        for type_name, pks in wanted.items():
            fetcher = FETCHERS[type_name](session, ctx)
            if fetcher is None:
                continue
            get_many = fetcher if callable(fetcher) and not hasattr(fetcher, "get_many") else fetcher.get_many
            rows = await get_many(sorted(pks))
            found.update({(type_name, pk): row for pk, row in rows.items()})
    return [d if isinstance(d, GraphQLError) else found.get(d, not_found()) for d in decoded]
