"""The one address check: billing details, a location's addresses and the address book say the same."""
import pytest

from domain import addresses, billing_details
from domain.addresses import AddressErrorCode
from domain.back_office import BackOfficeErrorCode
from domain.billing_details import BillingDetails, BillingDetailsErrorCode
from domain.errors import Rejected

CASES = [
    ({"country": "us", "region": "ny", "postal_code": "10001"}, ("US", "NY", "10001"), []),
    ({"country": "US", "region": "US-CA", "postal_code": "94110-1234"}, ("US", "CA", "94110-1234"), []),
    ({"country": "DE", "region": None, "postal_code": "10115"}, ("DE", None, "10115"), []),
    ({"country": "gb", "region": None, "postal_code": "sw1a 1aa"}, ("GB", None, "SW1A 1AA"), []),
    ({"country": "US", "region": None, "postal_code": "10001"}, None, ["REGION_REQUIRED"]),
    ({"country": "CA", "region": "XX", "postal_code": "K1A 0B1"}, None, ["INVALID_REGION"]),
    ({"country": "DE", "region": None, "postal_code": "1011"}, None, ["INVALID_POSTAL_CODE"]),
    ({"country": "XX", "region": None, "postal_code": None}, None, ["INVALID_COUNTRY"]),
    ({"country": "EU", "region": None, "postal_code": None}, None, ["INVALID_COUNTRY"]),
]


@pytest.mark.parametrize("given,expected,problems", CASES)
def test_billing_details_and_addresses_check_a_place_alike(given, expected, problems):
    address = {"kind": "SHIPPING", "line1": "1 Main St", "city": "Town", **given}
    for check in (lambda: addresses.checked(address),
                  lambda: addresses.checked(address, BackOfficeErrorCode),
                  lambda: billing_details.validated(BillingDetails(), given)):
        if problems:
            with pytest.raises(Rejected) as e:
                check()
            assert [p.code.value for p in e.value.problems] == problems
        else:
            found = check()
            place = (found["country"], found["region"], found["postal_code"]) if isinstance(found, dict) else \
                (found.country, found.region, found.postal_code)
            assert place == expected
    assert AddressErrorCode.INVALID_POSTAL_CODE.value == BillingDetailsErrorCode.INVALID_POSTAL_CODE.value


def test_a_whole_address_reports_every_problem_at_once():
    with pytest.raises(Rejected) as e:
        addresses.checked({"kind": "BILLING", "line1": "", "city": "x" * 101, "country": "US", "region": "ZZ",
                           "label": "y" * 101})
    assert sorted((p.code.value, p.field[-1]) for p in e.value.problems) == [
        ("INVALID_REGION", "region"), ("REQUIRED", "line1"), ("TOO_LONG", "city"), ("TOO_LONG", "label")]
