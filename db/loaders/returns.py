"""Batch functions of returns: an order's returns and refunds, a return's lines, photos and
refunds, and how much of each order line is held by returns."""
from sqlmodel import func, select

from db.loaders import children, keys_param, sums
from db.models import Refund, ReturnLine, ReturnPhoto, ReturnRequest
from db.reads import Read
from db.repositories.returns import HOLDING

returns_by_order = children(ReturnRequest, "order_id", ReturnRequest.created_at)
lines_by_return = children(ReturnLine, "return_id")
photos_by_return = children(ReturnPhoto, "return_id")
refunds_by_order = children(Refund, "order_id", Refund.created_at)
refunds_by_return = children(Refund, "return_id")
returned_by_order_line = sums(Read(select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
                                   .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
                                   .where(ReturnLine.order_line_id.in_(keys_param()),
                                          ReturnRequest.status.in_(HOLDING))
                                   .group_by(ReturnLine.order_line_id)))
