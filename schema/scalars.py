"""The Decimal scalar: exact amounts in, refused at the door when they are not a plain number.

Strawberry's own Decimal takes whatever `decimal.Decimal` parses (NaN, Infinity, 1e309, a hundred
digits) and leaves the failure to the first comparison or the database. This one keeps the name
and the description (schema.graphql is unchanged) and accepts only what an amount column holds
(db.types.Amount: 14 digits before the point, 4 after), so every Decimal input of the schema is
checked once, while the query is validated, before anything runs."""
import dataclasses
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition as _STOCK_DATETIME
from strawberry.types.scalar import ScalarDefinition

INTEGER_DIGITS = 14
FRACTION_DIGITS = 4
_LONGEST = 64  # characters: more is not a number we could hold, and is not parsed at all
_LIMIT = Decimal(10) ** INTEGER_DIGITS


class DecimalInputError(ValueError):
    """graphql-core reports the message with the argument or variable it was given for."""


def parse_decimal(value: Any) -> Decimal:
    """graphql-core puts the value given, and where, next to these messages."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DecimalInputError("not a number or a string of digits")
    text = value if isinstance(value, str) else str(value)
    if len(text) > _LONGEST:
        raise DecimalInputError(f"longer than {_LONGEST} characters")
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise DecimalInputError("not a decimal number") from None
    if not number.is_finite():
        raise DecimalInputError("not a finite number")
    if abs(number) >= _LIMIT:
        raise DecimalInputError(f"more than {INTEGER_DIGITS} digits before the decimal point")
    if number != round(number, FRACTION_DIGITS):  # 1.50000 is fine; 1.00001 and 1e-400 are not
        raise DecimalInputError(f"more than {FRACTION_DIGITS} decimal places")
    return number


def parse_decimal_literal(node: ValueNode, _variables: Any = None) -> Decimal:
    # The literal's own text: as a float, 1e309 would already be inf and 1e-400 zero.
    if isinstance(node, (IntValueNode, FloatValueNode, StringValueNode)):
        return parse_decimal(node.value)
    raise DecimalInputError("not a number or a string of digits")


DECIMAL = ScalarDefinition(name="Decimal", description="Decimal (fixed-point)", specified_by_url=None,
                           serialize=str, parse_value=parse_decimal, parse_literal=parse_decimal_literal,
                           origin=Decimal)


# DateTime: Strawberry's own, refusing a time without its zone while the query is validated (the
# database columns hold UTC instants, so a zoneless one would fail later as an internal error).
def parse_datetime(value: Any) -> datetime:
    parsed = _STOCK_DATETIME.parse_value(value)  # type: ignore[misc]
    if parsed.tzinfo is None:
        raise StrawberryInputCoercionError(f'Value cannot represent a DateTime: "{value}". It needs its time '
                                           "zone (2026-12-07T22:20:00Z).")
    return parsed  # type: ignore[no-any-return]


DATETIME = dataclasses.replace(_STOCK_DATETIME, parse_value=parse_datetime)
