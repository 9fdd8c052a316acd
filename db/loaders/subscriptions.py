"""Batch functions of subscriptions: their items, their history of changes, and the one-time
add-ons waiting for the next order."""
from db.loaders import children
from db.models import SubscriptionAddon, SubscriptionEvent, SubscriptionItem

items_by_subscription = children(SubscriptionItem, "subscription_id")
events_by_subscription = children(SubscriptionEvent, "subscription_id")
addons_by_subscription = children(SubscriptionAddon, "subscription_id",
                                  where=SubscriptionAddon.invoice_id.is_(None))  # type: ignore[union-attr]
