"""Dataloaders for fulfilment tracking, returns and requisition lists (a base of Loaders)."""
from functools import cached_property

from aiodataloader import DataLoader

from db.repositories import fulfilment, requisitions, returns


class AfterSalesLoaders:
    _make: "object"

    @cached_property
    def shipment_events(self) -> DataLoader:
        return self._make(fulfilment.events_by_fulfilment)  # type: ignore[operator]

    @cached_property
    def fulfilled_quantity(self) -> DataLoader:
        return self._make(fulfilment.fulfilled_by_order_line)  # type: ignore[operator]

    @cached_property
    def order_line(self) -> DataLoader:
        return self._make(fulfilment.order_line_by_id)  # type: ignore[operator]

    @cached_property
    def returned_quantity(self) -> DataLoader:
        return self._make(returns.returned_by_order_line)  # type: ignore[operator]

    @cached_property
    def order_returns(self) -> DataLoader:
        return self._make(returns.returns_by_order)  # type: ignore[operator]

    @cached_property
    def return_lines(self) -> DataLoader:
        return self._make(returns.lines_by_return)  # type: ignore[operator]

    @cached_property
    def return_photos(self) -> DataLoader:
        return self._make(returns.photos_by_return)  # type: ignore[operator]

    @cached_property
    def order_refunds(self) -> DataLoader:
        return self._make(returns.refunds_by_order)  # type: ignore[operator]

    @cached_property
    def return_refunds(self) -> DataLoader:
        return self._make(returns.refunds_by_return)  # type: ignore[operator]

    @cached_property
    def requisition_items(self) -> DataLoader:
        return self._make(requisitions.items_by_list)  # type: ignore[operator]

    @cached_property
    def price_list_entries(self) -> DataLoader:
        from db.repositories import staff  # noqa: PLC0415
        return self._make(staff.entries_by_price_list)  # type: ignore[operator]

    @cached_property
    def price_list_rules(self) -> DataLoader:
        from db.repositories import staff  # noqa: PLC0415
        return self._make(staff.rules_by_price_list)  # type: ignore[operator]
