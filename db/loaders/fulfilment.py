"""Batch functions of fulfilment: an order's fulfilments, their lines and shipment events, and
how much of each order line has shipped."""
from sqlmodel import func, select

from db.loaders import children, keys_param, sums
from db.models import Fulfilment, FulfilmentLine, ShipmentEvent
from db.reads import Read

fulfilments_by_order = children(Fulfilment, "order_id", Fulfilment.created_at)
lines_by_fulfilment = children(FulfilmentLine, "fulfilment_id")
# Newest first.
events_by_fulfilment = children(ShipmentEvent, "fulfilment_id", ShipmentEvent.occurred_at.desc(),
                                ShipmentEvent.id.desc())
fulfilled_by_order_line = sums(Read(select(FulfilmentLine.order_line_id, func.sum(FulfilmentLine.quantity))
                                  .where(FulfilmentLine.order_line_id.in_(keys_param()))
                                  .group_by(FulfilmentLine.order_line_id)))
