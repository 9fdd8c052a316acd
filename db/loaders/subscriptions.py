"""Batch functions of subscriptions: their items and their history of changes."""
from db.loaders import children
from db.models import SubscriptionEvent, SubscriptionItem

items_by_subscription = children(SubscriptionItem, "subscription_id")
events_by_subscription = children(SubscriptionEvent, "subscription_id")
