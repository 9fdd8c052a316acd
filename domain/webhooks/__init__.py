"""Outgoing webhooks: the event catalogue (catalogue.py), the outbox written with each change
(outbox.py), endpoints (endpoints.py), Standard Webhooks signatures (signing.py) and delivery by
the worker (delivery.py). See docs/webhooks.md."""
