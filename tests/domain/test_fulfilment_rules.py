"""Plain rules of fulfilment: carriers and their tracking links, what may ship, how a shipment's
status follows its carrier events."""
from datetime import datetime, timezone

import pytest

from db.enums import FulfilmentStatus, OrderStatus
from db.models.shipments import ShipmentEventStatus
from domain.carriers import carrier, tracking_url, valid_tracking_number
from domain.errors import Rejected
from domain.fulfilment import WantedLine, check_lines, order_status_after, status_after_event

T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)


def codes(e: pytest.ExceptionInfo) -> list[str]:
    return [str(p.code) for p in e.value.problems]


def test_carriers_by_code_or_name_and_their_links():
    assert carrier("fedex").name == "FedEx" and carrier("FedEx").code == "FEDEX"
    assert carrier("royal mail").code == "ROYAL_MAIL"
    assert carrier("nope") is None and carrier("") is None
    assert tracking_url(carrier("USPS"), "9400 1000") == "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400%201000"
    assert tracking_url(carrier("OTHER"), "123456") is None
    assert tracking_url(carrier("UPS"), None) is None
    assert valid_tracking_number("1Z999AA10123456784") and not valid_tracking_number("abc")
    assert not valid_tracking_number("x/../y?z=1") and not valid_tracking_number("１２３４５")


def test_fulfilment_lines_fit_what_is_left_and_the_order_status_follows():
    ordered = {1: 10, 2: 5}
    check_lines(OrderStatus.OPEN, ordered, {1: 4}, [WantedLine(1, 6), WantedLine(2, 5)])
    with pytest.raises(Rejected) as e:
        check_lines(OrderStatus.OPEN, ordered, {1: 4}, [WantedLine(1, 7), WantedLine(3, 1)])
    assert codes(e) == ["QUANTITY_EXCEEDS_REMAINING", "LINE_NOT_IN_ORDER"]
    for status in (OrderStatus.PENDING_APPROVAL, OrderStatus.CANCELLED, OrderStatus.FULFILLED, OrderStatus.REJECTED):
        with pytest.raises(Rejected):
            check_lines(status, ordered, {}, [WantedLine(1, 1)])
    assert order_status_after(ordered, {1: 10, 2: 5}) is OrderStatus.FULFILLED
    assert order_status_after(ordered, {1: 10}) is OrderStatus.PARTIALLY_FULFILLED
    assert order_status_after(ordered, {}) is OrderStatus.OPEN


def test_late_events_do_not_move_the_status_back():
    assert status_after_event(ShipmentEventStatus.EXCEPTION, T0, None) is FulfilmentStatus.EXCEPTION
    later = T0.replace(day=2)
    assert status_after_event(ShipmentEventStatus.IN_TRANSIT, T0, later) is None
    assert status_after_event(ShipmentEventStatus.DELIVERED, later, T0) is FulfilmentStatus.DELIVERED
