"""Batch functions of orders: orders, their lines, approval requests and approvals."""
from db.loaders import children, one_by
from db.models import Order, OrderApproval, OrderApprovalRequest, OrderLine

order_by_id = one_by(Order)
line_by_id = one_by(OrderLine)
lines_by_order = children(OrderLine, "order_id", OrderLine.position)
approvals_by_order = children(OrderApproval, "order_id", OrderApproval.step)
approval_request_by_order = one_by(OrderApprovalRequest, "order_id")
