"""RowScope.where: the WHERE clause of a caller's rows, built once per scope and columns."""
from db.models import Order
from db.scope import AccountScope, RowScope


def _sql(clause) -> str:
    return str(clause.compile(compile_kwargs={"literal_binds": True}))


def test_each_scope_gets_its_own_clause_and_a_repeated_ask_the_same_one():
    one = RowScope(accounts=(AccountScope(1, None),))
    other = RowScope(accounts=(AccountScope(2, frozenset({7})),))
    first = one.where(Order.account_id, Order.location_id)
    assert _sql(first) == "customer_order.account_id = 1"
    assert "customer_order.account_id = 2" in _sql(other.where(Order.account_id, Order.location_id))
    assert "IN (7)" in _sql(other.where(Order.account_id, Order.location_id))
    # Other columns, same scope: its own clause (no location column: the account's rows).
    assert _sql(other.where(Order.account_id)) == "customer_order.account_id = 2"
    assert one.where(Order.account_id, Order.location_id) is first
    # An equal scope built anew (the next request of the same caller) shares the clause.
    assert RowScope(accounts=(AccountScope(1, None),)).where(Order.account_id, Order.location_id) is first
