"""The root Query and Mutation, and the Schema object."""
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from permissions.checks import authenticated
from resolvers import accounts as resolve_accounts
from resolvers.connections import Window
from resolvers.nodes import fetch_nodes
from schema.accounts import AccessRule, Account, AccountConnection, Location, Membership, Viewer, access_rules
from schema.audit import AuditEventConnection, AuditEventFilter
from schema.auth import AuthMutations
from schema.invitations import InvitationMutations
from schema.members import MembershipMutations
from schema.oauth_clients import OAuthClientMutations
from schema.notifications import NotificationMutations
from schema.security import SecurityMutations
from resolvers.audit import audit_events
from db.repositories.audit import AuditFilter as AuditFilterData
from schema.billing import CreditNote, Invoice, InvoicingMutations
from schema.carts import Cart, CartMutations
from schema.catalog import Product, ProductVariant
from schema.common import Node
from schema.execution import Executor, make_eager
from schema.scalars import DATETIME, DECIMAL
from schema.extensions import ErrorCodes, ParsedOnce
from schema.ordering import OrderingMutations
from schema.payments import PaymentMethod, PaymentMutations
from schema.orders import Order
from schema.quotes import Quote, QuoteMutations
from schema.subscriptions import Subscription, SubscriptionMutations, SubscriptionQueries
from schema.fulfilment import Fulfilment, FulfilmentMutations, FulfilmentQueries
from schema.requisitions import RequisitionList, RequisitionMutations, RequisitionQueries
from schema.returns import Return, ReturnMutations, ReturnQueries
from schema.support import KbArticle, SupportMutations, SupportQueries, SupportTicket
from schema.files import FileMutations, FileQueries
from schema.staff import PriceList, StaffMutations, StaffQueries
from schema.billing_details import BillingDetailsMutations
from schema.profile import ProfileMutations, ProfileQueries
from schema.tax import TaxMutations, TaxQueries
from schema.webhooks import WebhookMutations, WebhookQueries

# Types reachable only through Node must be named for the schema to include them.
NODE_IMPLEMENTATIONS = [Account, Location, Membership, Order, Invoice, Subscription, Product, ProductVariant,
                        Fulfilment, Return, RequisitionList, PriceList, Cart, Quote, PaymentMethod, CreditNote,
                        SupportTicket, KbArticle]


@strawberry.type
class Query(FulfilmentQueries, ReturnQueries, RequisitionQueries, StaffQueries, TaxQueries, SubscriptionQueries,
            SupportQueries, ProfileQueries, FileQueries, WebhookQueries):
    @strawberry.field(description="The signed-in caller; null when signed out.")
    async def viewer(self, info: Info) -> Viewer | None:
        caller = info.context.caller
        if caller.user_id is None:
            return None
        return await info.context.loaders.accounts.user.load(caller.user_id)

    @authenticated(description="The policy the API enforces on mutations and guarded fields: which roles "
                               "may run or read each. A portal shows a caller only what its roles allow.")
    def access_rules(self, info: Info) -> list[AccessRule]:
        return access_rules()

    @authenticated(description="Any object by its global ID. Objects you may not see are NOT_FOUND, "
                               "exactly like objects that do not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        found = (await fetch_nodes(info.context, [id]))[0]
        if isinstance(found, Exception):
            raise found
        return found

    @authenticated(description="Objects by global IDs (at most 100), in the order asked; null with an error "
                               "for each one that is missing or not yours.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return await fetch_nodes(info.context, list(ids))

    @authenticated(description="Accounts the caller may see, by name. Staff see every account.")
    async def accounts(self, info: Info, search: str | None = None, first: int | None = None,
                       after: str | None = None, last: int | None = None,
                       before: str | None = None) -> AccountConnection:  # type: ignore[valid-type]
        return await resolve_accounts.accounts(info.context, search, Window(first, after, last, before))  # type: ignore[return-value]

    @authenticated(description="The audit log, newest first: an ADMIN reads its accounts' events, staff read all "
                               "(sign-ins included).")
    async def audit_events(self, info: Info, filter: AuditEventFilter | None = None, first: int | None = None,
                           after: str | None = None, last: int | None = None,
                           before: str | None = None) -> AuditEventConnection:  # type: ignore[valid-type]
        f = filter.to_data() if filter else AuditFilterData()
        return await audit_events(info.context, f, Window(first, after, last, before))  # type: ignore[return-value]


@strawberry.type
class Mutation(AuthMutations, SecurityMutations, InvitationMutations, MembershipMutations, OAuthClientMutations,
               FulfilmentMutations, ReturnMutations, RequisitionMutations, StaffMutations,
               CartMutations, OrderingMutations, QuoteMutations, TaxMutations, BillingDetailsMutations,
               PaymentMutations, InvoicingMutations, SubscriptionMutations, NotificationMutations,
               SupportMutations, ProfileMutations, FileMutations, WebhookMutations):
    pass


class PortalSchema(strawberry.Schema):
    def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
        """Nothing here: ErrorCodes logs the unexpected errors, once, with a request id. Strawberry's
        default logged every error, expected ones too, with a traceback and the query's text
        around it (a password written inline in a mutation with it)."""


def build_schema(*, production: bool = False, extensions_before: Sequence[Any] = (),
                 plain: bool = False) -> strawberry.Schema:
    """`extensions_before` run outside ErrorCodes (they see the final coded errors). `plain` leaves
    our executor out (schema/execution.py): Strawberry's own execution, which the tests compare
    it with."""
    extensions: list = [*extensions_before, ErrorCodes, ParsedOnce]
    if production:
        extensions.append(DisableIntrospection)
    built = PortalSchema(query=Query, mutation=Mutation, types=NODE_IMPLEMENTATIONS, extensions=extensions,
                         execution_context_class=None if plain else Executor,
                         config=StrawberryConfig(scalar_map={Decimal: DECIMAL, datetime: DATETIME}))
    if not plain:
        make_eager(built._schema)
    return built


# What `strawberry export-schema schema.root:schema` writes to schema.graphql.
schema = build_schema()
