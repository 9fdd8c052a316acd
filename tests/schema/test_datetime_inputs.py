"""A DateTime without its time zone is BAD_USER_INPUT wherever the schema takes one (the
columns hold UTC instants): refused while the query is validated, as a literal or a variable."""
import pytest

from tests.support import codes

STAFF = "ops@merchant.example"
QUERIES = [
    "query($at: DateTime) { subscriptionCancellationReport(since: $at) { reasons { reason } } }",
    "query($at: DateTime) { supportDeflectionReport(since: $at) { deflections } }",
    "query($at: DateTime) { webhookDeliveries(since: $at) { id } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_a_zoneless_time_is_refused_and_a_zoned_one_taken(gql, query):
    body = await gql(query, {"at": "2026-06-15T00:00:00"}, as_=STAFF)
    assert codes(body) == ["BAD_USER_INPUT"] and body["data"] is None
    assert "time zone" in body["errors"][0]["message"]
    literal = query.replace("query($at: DateTime) ", "").replace("$at", '"2026-06-15T00:00:00"')
    assert codes(await gql(literal, as_=STAFF)) == ["BAD_USER_INPUT"]
    for zoned in ("2026-06-15T00:00:00Z", "2026-06-15T02:00:00+02:00"):
        assert "errors" not in await gql(query, {"at": zoned}, as_=STAFF), zoned
