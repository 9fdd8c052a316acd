"""Plain rules of returns: what may be returned, how a return moves through its states, its refund,
and the photos it accepts."""
from decimal import Decimal

import pytest

from db.models.returns import ReturnStatus
from domain.errors import Rejected
from domain.file_types import sniff_image
from db.repositories.returns import ReturnedLine
from domain.returns import WantedReturn, check_lines, check_refund, default_refund, next_status


def codes(e: pytest.ExceptionInfo) -> list[str]:
    return [str(p.code) for p in e.value.problems]


def test_returns_only_of_what_shipped_and_is_not_returned_yet():
    check_lines({1, 2}, {1: 5}, {1: 2}, [WantedReturn(1, 3)])
    with pytest.raises(Rejected) as e:
        check_lines({1, 2}, {1: 5}, {1: 2}, [WantedReturn(1, 4), WantedReturn(2, 1), WantedReturn(9, 1)])
    assert codes(e) == ["QUANTITY_EXCEEDS_RETURNABLE", "NOT_SHIPPED", "LINE_NOT_IN_ORDER"]


def test_return_states_move_only_forward():
    assert next_status(ReturnStatus.REQUESTED, "approve") is ReturnStatus.APPROVED
    assert next_status(ReturnStatus.RECEIVED, "refund") is ReturnStatus.REFUNDED
    for current, action in ((ReturnStatus.APPROVED, "approve"), (ReturnStatus.DECLINED, "receive"),
                            (ReturnStatus.REQUESTED, "refund"), (ReturnStatus.REFUNDED, "decline")):
        with pytest.raises(Rejected):
            next_status(current, action)


def test_refund_is_the_lines_plus_their_share_of_tax_in_minor_units():
    # 2 of 4 at 12.50 whose line paid 3.63 tax (50.00 × 7.25 %): 25.00 + 1.815 → 26.82 (half to even)
    assert default_refund([ReturnedLine(Decimal("12.50"), 2, 4, Decimal("3.63"), False)], "USD") == Decimal("26.82")
    # A tax-inclusive price already holds its tax: the refund is the price.
    assert default_refund([ReturnedLine(Decimal("12.10"), 1, 3, Decimal("6.30"), True)], "EUR") == Decimal("12.10")
    assert default_refund([ReturnedLine(Decimal("10"), 1, 1, Decimal("0"), False)], "JPY") == Decimal("10")
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
