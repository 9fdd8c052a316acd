"""Demo rows for fulfilment tracking and requisition lists, added to what demo_data built:
carrier events for every demo shipment, and a shared requisition list at Acme."""
from datetime import datetime, timedelta
from typing import Any

from db.enums import FulfilmentStatus
from db.models import Account, Fulfilment, RequisitionList, RequisitionListItem, ShipmentEvent, User
from db.models.shipments import ShipmentEventStatus

# Insert after everything demo_data inserts (their parents are all there by then).
MODELS = [ShipmentEvent, RequisitionList, RequisitionListItem]


def add(rows: Any, now: datetime, variants: list[dict[str, Any]]) -> None:
    for f in rows.by_model.get(Fulfilment, []):
        shipped, delivered = f["shipped_at"], f["delivered_at"]
        rows.add(ShipmentEvent, fulfilment_id=f["id"], status=ShipmentEventStatus.IN_TRANSIT, occurred_at=shipped,
                 location="Columbus, OH distribution center", message="Picked up by carrier", created_at=shipped)
        if f["status"] is FulfilmentStatus.DELIVERED and delivered is not None:
            out = delivered - timedelta(hours=5)
            rows.add(ShipmentEvent, fulfilment_id=f["id"], status=ShipmentEventStatus.OUT_FOR_DELIVERY,
                     occurred_at=out, location="Local depot", message="Out for delivery", created_at=out)
            rows.add(ShipmentEvent, fulfilment_id=f["id"], status=ShipmentEventStatus.DELIVERED, occurred_at=delivered,
                     location="Receiving dock", message="Delivered, signed by receiving", created_at=delivered)
    buyer = next((u for u in rows.by_model.get(User, []) if u["email"] == "buyer@acme.example"), None)
    acme = next((a for a in rows.by_model.get(Account, []) if a["name"] == "Acme Industrial"), None)
    if buyer is None or acme is None:
        return
    lst = rows.add(RequisitionList, account_id=acme["id"], name="Denver weekly restock",
                   description="Gloves, glasses and fasteners for the Denver Plant line", created_by_user_id=buyer["id"],
                   created_at=now - timedelta(days=30), updated_at=now - timedelta(days=3))
    sellable = [v for v in variants if v["active"] and not v["digital"]][:4]
    for position, (variant, qty) in enumerate(zip(sellable, (50, 20, 100, 10))):
        rows.add(RequisitionListItem, list_id=lst, variant_id=variant["id"], quantity=qty, position=position)
