"""Batch functions of payments: each account's saved methods, the default first, then the newest."""
from sqlmodel import desc

from db.loaders import children
from db.models import PaymentMethod

methods_by_account = children(PaymentMethod, "account_id", desc(PaymentMethod.is_default),
                              desc(PaymentMethod.created_at), desc(PaymentMethod.id))
