"""Calculated query cost: from the schema and the query, before execution."""
from graphql import parse

from schema.cost import actual_cost, requested_cost
from schema.root import schema as app_schema
from tests.support import codes

SCHEMA = app_schema._schema

ORDER_PAGE = """query History($n: Int) { viewer { orders(first: $n) { totalCount pageInfo { hasNextPage }
  nodes { number total { amount } lines { sku variant { sku } } fulfilments { status } } } } }"""


def cost(query: str, variables: dict | None = None) -> int:
    return requested_cost(SCHEMA, parse(query), None, variables)


def test_scalars_are_free_and_objects_cost_one():
    assert cost("{ __typename }") == 0
    assert cost("{ viewer { name email } }") == 1


def test_value_objects_computed_from_their_parent_are_free_as_scalars():
    # Money and an address are read off the order's row; the lines are fetched, each variant too.
    assert cost('{ node(id: "x") { ... on Order { total { amount } shippingAddress { city } } } }') == 1
    assert cost('{ node(id: "x") { ... on Order { lines { total { amount } variant { sku } } } } }') == 1 + 2


def test_connections_multiply_by_first_and_default_page():
    # viewer 1 + connection 1 + n x (order 1 + lines 1 + variant 1 + fulfilments 1); pageInfo and
    # total are values
    assert cost(ORDER_PAGE, {"n": 50}) == 2 + 50 * 4
    assert cost(ORDER_PAGE, {"n": 10}) == 2 + 10 * 4
    assert cost(ORDER_PAGE, {}) == 2 + 20 * 4  # default page size


def test_nested_connections_multiply():
    q = "{ viewer { locations { orders(first: 10) { nodes { number } } catalog(first: 5) { nodes { title } } } } }"
    assert cost(q) == 1 + 1 + (1 + 10) + (1 + 5)


def test_fragments_on_other_types_count_the_dearest_branch():
    q = """{ node(id: "x") { ... on Order { lines { sku } fulfilments { status } } ... on Invoice { number } } }"""
    assert cost(q) == 1 + 2


def test_mutations_cost_ten():
    q = 'mutation { signIn(input: {email: "a", password: "b"}) { userErrors { code } } }'
    assert cost(q) == 10 + 1


def test_nodes_cost_per_id():
    assert cost('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3


def test_actual_cost_counts_what_came_back():
    doc = parse(ORDER_PAGE)
    data = {"viewer": {"orders": {"totalCount": 2, "pageInfo": {"hasNextPage": False}, "nodes": [
        {"number": "1", "total": {"amount": "1"}, "lines": [{"sku": "a", "variant": None}], "fulfilments": []},
        {"number": "2", "total": None, "lines": [], "fulfilments": [{"status": "SHIPPED"}]}]}}}
    # the requested formula with the page actually returned: viewer, connection, 2 x 4
    assert actual_cost(SCHEMA, doc, None, data, {"n": 50}) == 2 + 2 * 4
    assert actual_cost(SCHEMA, doc, None, {"viewer": None}, {"n": 50}) == 0


async def test_every_response_carries_the_cost(gql, settings):
    body = await gql(ORDER_PAGE, {"n": 50}, as_="buyer@acme.example")
    assert "errors" not in body, body
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 202
    assert 0 < cost["actualQueryCost"] <= 202
    status = cost["throttleStatus"]
    size, rate = settings.limits.bucket_size, settings.limits.restore_rate
    assert status["maximumAvailable"] == size and status["restoreRate"] == rate
    # what was not used went back to the bucket
    assert status["currentlyAvailable"] >= size - cost["actualQueryCost"] - 1


async def test_the_same_text_costs_what_its_variables_ask_for(gql):
    """The requested cost is remembered per text and variables, never per text alone."""
    costs = []
    for n in (50, 2, 50, 100, 2):
        body = await gql(ORDER_PAGE, {"n": n}, as_="buyer@acme.example")
        costs.append(body["extensions"]["cost"]["requestedQueryCost"])
    assert costs[0] == costs[2] == 202 and costs[1] == costs[4]
    assert costs[1] < costs[0] < costs[3]


async def test_cost_above_maximum_is_refused_before_execution(gql):
    q = """{ viewer { orders(first: 100) { nodes { location { catalog(first: 100) { nodes { title } } } } } } }"""
    body = await gql(q, as_="buyer@acme.example")
    assert codes(body) == ["MAX_COST_EXCEEDED"]
    assert body["data"] is None
    assert body["_statements"] <= 4  # the caller's session only, no resolver ran
    assert body["extensions"]["cost"]["requestedQueryCost"] > 1000


def test_every_connection_in_the_schema_is_priced_by_its_page_size():
    from graphql import GraphQLObjectType, get_named_type

    from schema.cost import _rule
    connections = 0
    for t in SCHEMA.type_map.values():
        if not isinstance(t, GraphQLObjectType) or t.name.startswith("__"):
            continue
        for name, field in t.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                connections += 1
                assert _rule(t, name, field).connection, f"{t.name}.{name} takes no first/last"
    assert connections >= 5


def test_a_field_can_set_its_own_cost():
    import strawberry

    @strawberry.type
    class Report:
        title: str

    @strawberry.type
    class Query:
        @strawberry.field(metadata={"cost": 50})
        def report(self) -> Report:
            return Report(title="x")

        @strawberry.field(metadata={"cost": 3})
        def expensive_number(self) -> int:
            return 1

        @strawberry.field(metadata={"cost_multiplier": "ids"})
        def reports(self, ids: list[str]) -> list[Report]:
            return []

    s = strawberry.Schema(query=Query)._schema
    assert requested_cost(s, parse("{ report { title } }")) == 50
    assert requested_cost(s, parse("{ expensiveNumber }")) == 3
    assert requested_cost(s, parse('{ reports(ids: ["a", "b"]) { title } }')) == 2
    assert requested_cost(s, parse("query($i: [String!]!) { reports(ids: $i) { title } }"), None,
                          {"i": ["a", "b", "c"]}) == 3
