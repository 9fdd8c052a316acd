"""All tables; importing this package registers them on SQLModel.metadata."""
from db.models.accounts import Account, Address, Location, Membership, MembershipRole, User
from db.models.audit import AuditEvent
from db.models.auth import AuthSession
from db.models.identity import ApiKey, AuthToken, Invitation, OAuthClient, RecoveryCode, TwoFactor
from db.models.billing import Invoice, InvoiceLine, Payment
from db.models.mail import OutboxMessage
from db.models.catalog import PriceList, PriceListEntry, Product, ProductVariant, QuantityRule
from db.models.orders import Fulfilment, FulfilmentLine, Order, OrderLine
from db.models.subscriptions import Subscription, SubscriptionItem
from db.models.requisitions import RequisitionList, RequisitionListItem
from db.models.returns import Refund, ReturnLine, ReturnPhoto, ReturnRequest
from db.models.shipments import ShipmentEvent

__all__ = [
    "ApiKey", "AuthToken", "Invitation", "OAuthClient", "RecoveryCode", "TwoFactor",
    "Account", "Address", "AuditEvent", "AuthSession", "Fulfilment", "FulfilmentLine", "Invoice", "InvoiceLine",
    "Location", "Membership", "MembershipRole", "Order", "OrderLine", "OutboxMessage", "Payment", "PriceList",
    "PriceListEntry", "Product", "ProductVariant", "QuantityRule", "Subscription",
    "SubscriptionItem", "User",
    "RequisitionList", "RequisitionListItem", "Refund", "ReturnLine", "ReturnPhoto", "ReturnRequest",
    "ShipmentEvent",
]
