"""All tables; importing this package registers them on SQLModel.metadata."""
from db.models.accounts import Account, Address, Location, Membership, MembershipRole, User
from db.models.audit import AuditEvent
from db.models.auth import AuthSession
from db.models.identity import ApiKey, AuthToken, Invitation, OAuthClient, RecoveryCode, TwoFactor
from db.models.billing import DocumentSequence, Invoice, InvoiceLine, InvoiceReminder, Payment
from db.models.credit_notes import AccountCreditTransaction, CreditNote, CreditNoteLine
from db.models.mail import OutboxMessage
from db.models.catalog import PriceList, PriceListEntry, Product, ProductVariant, QuantityRule
from db.models.orders import Fulfilment, FulfilmentLine, Order, OrderLine
from db.models.subscriptions import (Subscription, SubscriptionAddon, SubscriptionCycle, SubscriptionEvent,
                                     SubscriptionItem, SubscriptionPortalSetting, SubscriptionRetentionOffer)
from db.models.requisitions import RequisitionList, RequisitionListItem
from db.models.returns import Refund, ReturnLine, ReturnPhoto, ReturnRequest
from db.models.shipments import ShipmentEvent
from db.models.carts import Cart, CartLine  # noqa: E402  (ordering, issue 4)
from db.models.idempotency import IdempotencyKey  # noqa: E402
from db.models.ordering import AccountOrderingSettings, OrderApproval, OrderApprovalRequest  # noqa: E402
from db.models.quotes import Quote, QuoteLine  # noqa: E402
from db.models.tax import TaxRate  # noqa: E402
from db.models.payments import PaymentMethod  # noqa: E402
from db.models.notifications import NotificationPreference, UnsubscribeUse  # noqa: E402
from db.models.support import (KbArticle, KbDeflection, KbTopic, SupportAttachment, SupportMessage,  # noqa: E402
                               SupportTicket)
from db.models.profile import ProfileField, UserAddress  # noqa: E402
from db.models.files import (DigitalFile, DigitalPurchase, DigitalVariant, DownloadEvent, LicenseActivation,  # noqa: E402
                             LicenseKey, OrderFile, SharedDocument)
from db.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402

__all__ = [
    "ApiKey", "AuthToken", "Invitation", "OAuthClient", "RecoveryCode", "TwoFactor",
    "Account", "Address", "AuditEvent", "AuthSession", "Fulfilment", "FulfilmentLine", "Invoice", "InvoiceLine", "InvoiceReminder",
    "Location", "Membership", "MembershipRole", "Order", "OrderLine", "OutboxMessage", "Payment", "PriceList",
    "PriceListEntry", "Product", "ProductVariant", "QuantityRule", "Subscription",
    "SubscriptionAddon", "SubscriptionCycle", "SubscriptionEvent", "SubscriptionItem", "SubscriptionPortalSetting",
    "SubscriptionRetentionOffer", "User",
    "RequisitionList", "RequisitionListItem", "Refund", "ReturnLine", "ReturnPhoto", "ReturnRequest",
    "ShipmentEvent",
    "AccountOrderingSettings", "Cart", "CartLine", "IdempotencyKey", "OrderApproval", "OrderApprovalRequest",
    "Quote", "QuoteLine", "TaxRate", "PaymentMethod", "ProfileField", "UserAddress",
    "AccountCreditTransaction", "CreditNote", "CreditNoteLine", "DocumentSequence",
    "NotificationPreference", "UnsubscribeUse",
    "KbArticle", "KbDeflection", "KbTopic", "SupportAttachment", "SupportMessage", "SupportTicket",
    "DigitalFile", "DigitalPurchase", "DigitalVariant", "DownloadEvent", "LicenseActivation", "LicenseKey",
    "OrderFile", "SharedDocument",
    "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent",
]
