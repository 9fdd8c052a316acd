"""Batch functions of subscriptions: their items."""
from db.loaders import children
from db.models import SubscriptionItem

items_by_subscription = children(SubscriptionItem, "subscription_id")
