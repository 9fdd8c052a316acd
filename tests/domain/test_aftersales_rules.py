"""Plain rules of fulfilment, returns, carriers and image uploads."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from db.enums import FulfilmentStatus, OrderStatus
from db.models.returns import ReturnStatus
from db.models.shipments import ShipmentEventStatus
from domain import back_office
from domain.carriers import carrier, tracking_url, valid_tracking_number
from domain.fulfilment import WantedLine, check_lines, order_status_after, status_after_event
from domain.images import sniff_image
from domain.errors import Rejected
from domain.returns import WantedReturn, check_refund, default_refund, next_status
from domain.returns import check_lines as check_return_lines

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


def test_returns_only_of_what_shipped_and_is_not_returned_yet():
    check_return_lines({1, 2}, {1: 5}, {1: 2}, [WantedReturn(1, 3)])
    with pytest.raises(Rejected) as e:
        check_return_lines({1, 2}, {1: 5}, {1: 2}, [WantedReturn(1, 4), WantedReturn(2, 1), WantedReturn(9, 1)])
    assert codes(e) == ["QUANTITY_EXCEEDS_RETURNABLE", "NOT_SHIPPED", "LINE_NOT_IN_ORDER"]


def test_return_states_move_only_forward():
    assert next_status(ReturnStatus.REQUESTED, "approve") is ReturnStatus.APPROVED
    assert next_status(ReturnStatus.RECEIVED, "refund") is ReturnStatus.REFUNDED
    for current, action in ((ReturnStatus.APPROVED, "approve"), (ReturnStatus.DECLINED, "receive"),
                            (ReturnStatus.REQUESTED, "refund"), (ReturnStatus.REFUNDED, "decline")):
        with pytest.raises(Rejected):
            next_status(current, action)


def test_refund_is_the_lines_plus_their_share_of_tax_in_minor_units():
    assert default_refund([(Decimal("12.50"), 2)], Decimal("100"), Decimal("7.25"), "USD") == Decimal("26.81")
    assert default_refund([(Decimal("10"), 1)], Decimal("0"), Decimal("0"), "JPY") == Decimal("10")
    assert check_refund(Decimal("5.00"), Decimal("10"), "USD") == Decimal("5.00")
    for amount in (Decimal("0"), Decimal("-1"), Decimal("1.001"), Decimal("11")):
        with pytest.raises(Rejected):
            check_refund(amount, Decimal("10"), "USD")


def test_images_are_recognised_by_their_bytes_only():
    assert sniff_image(b"\xff\xd8\xff\xe0rest").content_type == "image/jpeg"
    assert sniff_image(b"\x89PNG\r\n\x1a\nrest").extension == "png"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ").content_type == "image/webp"
    assert sniff_image(b"GIF89a").content_type == "image/gif"
    for data in (b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"%PDF-1.7", b"PK\x03\x04"):
        assert sniff_image(data) is None


def test_back_office_values():
    assert back_office.sku(" ab-1.2/3 ") == "ab-1.2/3"
    assert back_office.currency("eur") == "EUR"
    assert back_office.country("de") == "DE"
    for bad in (lambda: back_office.sku("a b"), lambda: back_office.currency("EURO"),
                lambda: back_office.country("ZZ"), lambda: back_office.amount(Decimal("NaN"), "USD"),
                lambda: back_office.amount(Decimal("0.00001"), "USD"), lambda: back_office.percent(Decimal("-101")),
                lambda: back_office.quantity_rule(0, None, 1), lambda: back_office.locale("!!")):
        with pytest.raises(Rejected):
            bad()
