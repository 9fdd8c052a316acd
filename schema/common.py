"""Types every domain uses: Node, Money, connections, user errors, addresses."""
from decimal import Decimal
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from db import models
from domain.money import display_amount
from resolvers.errors import UserError as UserErrorData
from resolvers.globalid import encode
from resolvers.within import Within

T = TypeVar("T")

# Model class -> GraphQL type name, for Node's type resolution and for global IDs.
NODE_TYPES: dict[type, str] = {
    models.Account: "Account", models.Location: "Location", models.Membership: "Membership",
    models.Order: "Order", models.Invoice: "Invoice", models.CreditNote: "CreditNote",
    models.Subscription: "Subscription",
    models.Product: "Product", models.ProductVariant: "ProductVariant",
    models.Fulfilment: "Fulfilment", models.OrderLine: "OrderLine", models.ReturnRequest: "Return",
    models.RequisitionList: "RequisitionList", models.PriceList: "PriceList",
    models.Cart: "Cart", models.Quote: "Quote", models.PaymentMethod: "PaymentMethod",
    models.SupportTicket: "SupportTicket", models.KbArticle: "KbArticle",
}


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID

    @classmethod
    def resolve_type(cls, obj: Any, info: Info, type_: Any) -> str:
        # Catalog rows seen from a location are wrapped; the wrapped row says the type.
        return NODE_TYPES[type(getattr(obj, "row", obj))]


def rows_of(model: type) -> Any:
    """is_type_of for a Node type whose objects are rows of `model` (or rows seen Within a parent).

    Strawberry would otherwise check isinstance against the Strawberry class and refuse rows."""
    def is_type_of(cls: type, obj: Any, info: Info) -> bool:
        return isinstance(obj, (model, Within))
    return classmethod(is_type_of)


def node_id(type_name: str) -> Any:
    def resolve(root: Any) -> strawberry.ID:
        return strawberry.ID(encode(type_name, root.id))
    return strawberry.field(resolver=resolve, description="The opaque global ID.")


@strawberry.type(description="An exact amount of money. `amount` is a decimal string with the currency's "
                              "minor digits (more only when they carry value, as in some unit prices).")
class Money:
    currency_code: str

    @strawberry.field
    def amount(self) -> Decimal:
        return display_amount(self.amount, self.currency_code)  # type: ignore[attr-defined]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list. Ask for `totalCount` only when you need it: it costs a COUNT.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    total_count: int


@strawberry.interface(description="A business failure of a mutation: what went wrong and where. "
                                  "Each mutation's error type adds a `code` from its own enum.")
class UserError:
    message: str
    field: list[str] | None


@strawberry.type
class MailingAddress:
    recipient: str | None
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str | None
    country: str


def address_from(data: dict | None) -> MailingAddress | None:
    if not data:
        return None
    return MailingAddress(recipient=data.get("recipient"), line1=data.get("line1", ""), line2=data.get("line2"),
                          city=data.get("city", ""), region=data.get("region"),
                          postal_code=data.get("postal_code"), country=data.get("country", ""))


def user_errors() -> Any:
    """is_type_of for a mutation's error type: its objects are resolvers.errors.UserError."""
    def is_type_of(cls: type, obj: Any, info: Info) -> bool:
        return isinstance(obj, UserErrorData)
    return classmethod(is_type_of)
