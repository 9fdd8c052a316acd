"""Batch functions of requisition lists: their items, in list order."""
from db.loaders import children
from db.models import RequisitionListItem

items_by_list = children(RequisitionListItem, "list_id", RequisitionListItem.position)
