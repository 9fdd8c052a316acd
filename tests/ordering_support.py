"""GraphQL documents and helpers shared by the ordering tests (carts, orders, approvals, quotes)."""
from decimal import Decimal
from typing import Any

from sqlmodel import func, select

from db.engine import Database
from db.enums import OrderStatus
from db.models import (Account, Location, Order, PriceList, PriceListEntry, Product, ProductVariant, QuantityRule,
                       User)
from resolvers.globalid import encode
from tests.support import row

BUYER = "buyer@acme.example"          # BUYER at Denver Plant, spending limit 5,000 USD (monthly)
ADMIN = "admin@acme.example"
APPROVER = "approver@acme.example"    # APPROVER account-wide
VIEWER = "viewer@acme.example"        # VIEWER at Austin Warehouse
AP = "ap@acme.example"
GLOBEX_BUYER = "buyer@globex.example"
STAFF_ADMIN = "ops@merchant.example"
STAFF_SUPPORT = "support@merchant.example"

ERRORS = "userErrors { code message field }"
CART_FIELDS = """cart { id status poNumber note currencyCode subtotal { amount }
    lines { id sku quantity unitPrice { amount currencyCode } currentUnitPrice { amount } total { amount } }
    shippingAddress { line1 line2 city } location { name } }"""
ORDER_FIELDS = """order { id number status poNumber note total { amount currencyCode } subtotal { amount }
    tax { amount } lines { id sku quantity unitPrice { amount } } approvalReasons approvalsRequired
    approvals { step decision comment decidedBy { email } }
    placedBy { email } shippingAddress { line1 line2 } }"""

CART_CREATE = f"mutation($input: CartCreateInput!) {{ cartCreate(input: $input) {{ {CART_FIELDS} {ERRORS} }} }}"
CART_UPDATE = f"mutation($input: CartUpdateInput!) {{ cartUpdate(input: $input) {{ {CART_FIELDS} {ERRORS} }} }}"
LINES_ADD = f"mutation($input: CartLinesAddInput!) {{ cartLinesAdd(input: $input) {{ {CART_FIELDS} {ERRORS} }} }}"
LINES_UPDATE = f"mutation($input: CartLinesUpdateInput!) {{ cartLinesUpdate(input: $input) {{ {CART_FIELDS} {ERRORS} }} }}"
LINES_REMOVE = f"mutation($input: CartLinesRemoveInput!) {{ cartLinesRemove(input: $input) {{ {CART_FIELDS} {ERRORS} }} }}"
PRICES_REFRESH = f"""mutation($input: CartPricesRefreshInput!) {{ cartPricesRefresh(input: $input) {{ {CART_FIELDS}
    priceChanges {{ sku previousUnitPrice {{ amount }} unitPrice {{ amount }} }} {ERRORS} }} }}"""
QUICK_ORDER = f"""mutation($input: CartQuickOrderInput!) {{ cartQuickOrder(input: $input) {{ {CART_FIELDS}
    results {{ row sku quantity added code message }} {ERRORS} }} }}"""
ORDER_PLACE = f"""mutation($input: OrderPlaceInput!) {{ orderPlace(input: $input) {{ {ORDER_FIELDS} replayed
    priceChanges {{ sku previousUnitPrice {{ amount }} unitPrice {{ amount }} }} {ERRORS} }} }}"""
ORDER_APPROVE = f"""mutation($input: OrderDecisionInput!) {{ orderApprove(input: $input) {{ {ORDER_FIELDS}
    approvalComplete {ERRORS} }} }}"""
ORDER_REJECT = f"""mutation($input: OrderDecisionInput!) {{ orderReject(input: $input) {{ {ORDER_FIELDS}
    approvalComplete {ERRORS} }} }}"""
ORDER_REORDER = f"""mutation($input: OrderReorderInput!) {{ orderReorder(input: $input) {{ {CART_FIELDS}
    unavailableLines {{ sku code message }} repricedLines {{ sku previousUnitPrice {{ amount }} unitPrice {{ amount }} }}
    {ERRORS} }} }}"""
ORDER_UPDATE = f"mutation($input: OrderUpdateInput!) {{ orderUpdate(input: $input) {{ {ORDER_FIELDS} {ERRORS} }} }}"
ORDER_CANCEL = f"""mutation($input: OrderCancelInput!) {{ orderCancel(input: $input) {{ {ORDER_FIELDS}
    cancelledWholeOrder {ERRORS} }} }}"""
SETTINGS_UPDATE = f"""mutation($input: AccountOrderingSettingsUpdateInput!) {{ accountOrderingSettingsUpdate(input: $input) {{
    settings {{ spendingLimitPeriod requiresApproval secondApprovalThreshold {{ amount }} }} {ERRORS} }} }}"""


async def location_gid(db: Database, name: str) -> str:
    async with db.session() as s:
        loc = (await s.exec(select(Location).where(Location.name == name))).one()
    return encode("Location", loc.id)  # type: ignore[arg-type]


async def variants(db: Database, *, rule: bool = False, contract: bool = False, denver: bool = False,
                   many: int = 1) -> list[ProductVariant]:
    """Physical variants on sale, first by id, chosen by how Acme buys them: with a quantity rule on
    Acme's contract (`rule`), with fixed prices and breaks there (`contract`), with a price of the
    Denver Plant's own list (`denver`); each property present when True and absent when False."""
    def listed(table: Any, where: Any) -> Any:
        return select(table.variant_id).join(PriceList, PriceList.id == table.price_list_id).where(where)
    acme = select(Account.id).where(Account.name == "Acme Industrial").scalar_subquery()
    on_contract = (PriceList.account_id == acme) & PriceList.location_id.is_(None)
    at_denver = PriceList.location_id == select(Location.id).where(Location.name == "Denver Plant").scalar_subquery()
    stmt = (select(ProductVariant).join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.is_active, Product.is_active, ~Product.is_digital))
    for wanted, ids in ((rule, listed(QuantityRule, on_contract)), (contract, listed(PriceListEntry, on_contract)),
                        (denver, listed(PriceListEntry, at_denver))):
        stmt = stmt.where(ProductVariant.id.in_(ids) if wanted else ProductVariant.id.notin_(ids))
    async with db.session() as s:
        found = list((await s.exec(stmt.order_by(ProductVariant.id).limit(many))).all())
    assert len(found) == many, "the demo catalog has fewer such variants"
    return found


async def ruled(db: Database) -> ProductVariant:
    """FST-1000-1: Acme's rule 10..500 step 10, contract breaks, and a Denver price below them."""
    return (await variants(db, rule=True, contract=True, denver=True))[0]


async def plain(db: Database) -> ProductVariant:
    """Any quantity at Acme's contract prices, with breaks at 50 and 200; no Denver price."""
    return (await variants(db, contract=True))[0]


async def waiting_at_acme(db: Database) -> list[Order]:
    """Acme's orders waiting for approval, newest first (the queue's order)."""
    acme = await row(db, Account, name="Acme Industrial")
    async with db.session() as s:
        return list((await s.exec(select(Order).where(Order.account_id == acme.id,
                                                      Order.status == OrderStatus.PENDING_APPROVAL)
                                  .order_by(Order.placed_at.desc(), Order.id.desc()))).all())


async def waiting_orders(db: Database, *, placed_by: str | None = None, at: str | None = None,
                         not_at: str | None = None) -> list[Order]:
    """Acme's waiting orders placed by the member `placed_by`, at the location `at`, or not at `not_at`."""
    user = await row(db, User, email=placed_by) if placed_by else None
    here = await row(db, Location, name=at) if at else None
    there = await row(db, Location, name=not_at) if not_at else None
    found = [o for o in await waiting_at_acme(db) if (user is None or o.placed_by_user_id == user.id)
             and (here is None or o.location_id == here.id) and (there is None or o.location_id != there.id)]
    assert found, "the demo world has no such waiting order"
    return found


ACME_CONTRACT = "Acme contract 2025-2027"
DENVER_LIST = "Denver plant consumables"


async def list_price(db: Database, v: ProductVariant, price_list: str, quantity: int = 1) -> Decimal:
    """The fixed unit price of `v` on the named price list at `quantity` (its best break)."""
    async with db.session() as s:
        return (await s.exec(select(PriceListEntry.price).join(PriceList, PriceList.id == PriceListEntry.price_list_id)
                             .where(PriceList.name == price_list, PriceListEntry.variant_id == v.id,
                                    PriceListEntry.min_quantity <= quantity)
                             .order_by(PriceListEntry.min_quantity.desc()).limit(1))).one()


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


def data(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    return body["data"][field]


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def new_cart(gql: Any, db: Database, lines: list[dict], as_: str = BUYER, location: str = "Denver Plant",
                   **extra: Any) -> dict[str, Any]:
    body = await gql(CART_CREATE, {"input": {"locationId": await location_gid(db, location), "lines": lines,
                                             **extra}}, as_=as_)
    payload = data(body, "cartCreate")
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["cart"]


def money(payload: dict[str, Any]) -> Decimal:
    return Decimal(payload["amount"])


async def invoices_of(gql: Any, order_gid: str) -> list[dict[str, Any]]:
    """The order's invoices, as the account's ADMIN sees them (buyers do not see invoices)."""
    body = await gql("""query($id: ID!) { node(id: $id) { ... on Order {
        invoices { number status dueDate amountDue { amount } total { amount } lines { quantity }
          creditNotes { number reason total { amount } lines { quantity } } } } } }""",
                     {"id": order_gid}, as_=ADMIN)
    return data(body, "node")["invoices"]
