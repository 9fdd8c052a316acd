"""Subscriptions: billing periods (periods.py) and the proration of plan changes (proration.py)."""
