"""A person's own profile (name, phone, locale, time zone, custom fields) and the merchant's custom
profile fields: staff define them, customers fill them in, staff read them."""
from sqlmodel import select

from db.models import AuditEvent, ProfileField, User
from tests.order_factories import STAFF_ADMIN, STAFF_SUPPORT
from tests.schema.test_sign_up import count
from tests.support import codes, row

BUYER = "buyer@acme.example"
UPDATE = """mutation($input: ViewerUpdateInput!) { viewerUpdate(input: $input) {
  viewer { name phone locale timeZone customFields { field { key type required } value } }
  userErrors { code field } } }"""
FIELD_SAVE = """mutation($input: ProfileFieldSaveInput!) { profileFieldSave(input: $input) {
  field { id key label type choices required position } userErrors { code field } } }"""
FIELD_DELETE = """mutation($id: ID!) { profileFieldDelete(input: {id: $id}) { deletedId userErrors { code } } }"""
MEMBERS = """query { viewer { accounts { name members { user { email } customFields { field { key } value } } } } }"""


def values(body):
    return {v["field"]["key"]: v["value"] for v in body["data"]["viewerUpdate"]["viewer"]["customFields"]}


async def user(db, email=BUYER):
    return await row(db, User, email=email)


async def test_anonymous_and_integrations_cannot_change_a_profile(gql, db):
    before = await user(db)
    body = await gql(UPDATE, {"input": {"name": "Nobody"}})
    assert codes(body) == ["UNAUTHENTICATED"] and body["data"] is None
    assert (await user(db)).name == before.name


async def test_bad_input_is_refused_whole_and_changes_nothing(gql, db):
    before = await user(db)
    body = await gql(UPDATE, {"input": {"name": "Bob B.", "phone": "call me", "locale": "xx-!!",
                                        "timeZone": "Mars/Olympus", "customFields": [
                                            {"key": "department", "value": "Astronauts"},
                                            {"key": "nope", "value": "1"}]}}, as_=BUYER)
    errors = body["data"]["viewerUpdate"]["userErrors"]
    assert {e["code"] for e in errors} == {"INVALID_PHONE", "INVALID_LOCALE", "INVALID_TIME_ZONE", "INVALID_VALUE",
                                           "UNKNOWN_FIELD"}
    assert {"code": "INVALID_VALUE", "field": ["input", "customFields", "0", "value"]} in errors
    assert body["data"]["viewerUpdate"]["viewer"] is None
    after = await user(db)
    assert (after.name, after.phone, after.locale, after.time_zone, after.profile_values) == \
           (before.name, before.phone, before.locale, before.time_zone, before.profile_values)
    # A required field left empty by the change: refused, nothing changed.
    body = await gql(UPDATE, {"input": {"customFields": [{"key": "cost_center", "value": "  "}]}}, as_=BUYER)
    assert body["data"]["viewerUpdate"]["userErrors"] == [{"code": "FIELD_REQUIRED", "field": ["input", "customFields"]}]
    assert (await user(db)).profile_values == before.profile_values
    # A wrong value of one field hides no problem of another: both are said.
    body = await gql(UPDATE, {"input": {"customFields": [{"key": "department", "value": "Bogus"},
                                                         {"key": "cost_center", "value": None}]}}, as_=BUYER)
    assert [e["code"] for e in body["data"]["viewerUpdate"]["userErrors"]] == ["INVALID_VALUE", "FIELD_REQUIRED"]
    assert (await user(db)).profile_values == before.profile_values


async def test_a_person_changes_its_own_profile(gql, db):
    body = await gql(UPDATE, {"input": {"name": "  Bob   Buyer-Smith ", "phone": "+1 (303) 555-0199",
                                        "locale": "de-AT", "timeZone": "Europe/Vienna"}}, as_=BUYER)
    viewer = body["data"]["viewerUpdate"]["viewer"]
    assert body["data"]["viewerUpdate"]["userErrors"] == []
    assert (viewer["name"], viewer["phone"], viewer["locale"], viewer["timeZone"]) == \
           ("Bob Buyer-Smith", "+1 (303) 555-0199", "de_AT", "Europe/Vienna")
    # Left out: kept; null: cleared.
    body = await gql(UPDATE, {"input": {"phone": None, "timeZone": None}}, as_=BUYER)
    viewer = body["data"]["viewerUpdate"]["viewer"]
    assert (viewer["name"], viewer["phone"], viewer["locale"], viewer["timeZone"]) == \
           ("Bob Buyer-Smith", None, "de_AT", None)
    # Only its own row changed, and audited as the person.
    assert (await user(db, "admin@acme.example")).name == "Alice Admin"
    async with db.session() as s:
        events = (await s.exec(select(AuditEvent).where(AuditEvent.action == "profile.update"))).all()
    assert len(events) == 2 and {e.target_id for e in events} == {(await user(db)).id}


async def test_custom_values_are_checked_by_type_and_stored_in_canonical_form(gql, db):
    await gql(FIELD_SAVE, {"input": {"key": "headcount", "label": "Team size", "type": "NUMBER"}}, as_=STAFF_ADMIN)
    await gql(FIELD_SAVE, {"input": {"key": "started", "label": "Started on", "type": "DATE"}}, as_=STAFF_ADMIN)
    for key, bad in (("headcount", "many"), ("headcount", "NaN"), ("started", "31.12.2020"),
                     ("started", "2021-02-30"), ("department", "purchasing")):
        body = await gql(UPDATE, {"input": {"customFields": [{"key": key, "value": bad}]}}, as_=BUYER)
        assert [e["code"] for e in body["data"]["viewerUpdate"]["userErrors"]] == ["INVALID_VALUE"], (key, bad)
    body = await gql(UPDATE, {"input": {"customFields": [
        {"key": "headcount", "value": " 12.50 "}, {"key": "started", "value": "2021-02-03"},
        {"key": "department", "value": None}]}}, as_=BUYER)
    assert body["data"]["viewerUpdate"]["userErrors"] == []
    assert values(body) == {"cost_center": "DEN-4410", "department": None, "headcount": "12.5",
                            "started": "2021-02-03"}
    assert (await user(db)).profile_values == {"cost_center": "DEN-4410", "headcount": "12.5",
                                               "started": "2021-02-03"}


async def test_staff_admin_defines_fields_and_no_one_else_does(gql, db):
    before = await count(db, ProfileField)
    for who in (BUYER, "admin@acme.example", STAFF_SUPPORT):
        body = await gql(FIELD_SAVE, {"input": {"key": "badge", "label": "Badge"}}, as_=who)
        assert codes(body) == ["FORBIDDEN"] and body["data"] is None
    assert await count(db, ProfileField) == before
    for bad, code in (({"key": "Badge No", "label": "Badge"}, "INVALID_KEY"),
                      ({"key": "badge", "label": " "}, "INVALID_LABEL"),
                      ({"key": "badge", "label": "Badge", "type": "CHOICE"}, "INVALID_CHOICES"),
                      ({"key": "badge", "label": "Badge", "type": "CHOICE", "choices": ["A", "A"]}, "INVALID_CHOICES"),
                      ({"key": "badge", "label": "Badge", "choices": ["A"]}, "INVALID_CHOICES"),
                      ({"key": "cost_center", "label": "Again"}, "KEY_TAKEN")):
        body = await gql(FIELD_SAVE, {"input": bad}, as_=STAFF_ADMIN)
        assert [e["code"] for e in body["data"]["profileFieldSave"]["userErrors"]] == [code], bad
    assert await count(db, ProfileField) == before
    body = await gql(FIELD_SAVE, {"input": {"key": "shift", "label": "Shift", "type": "CHOICE",
                                            "choices": ["Early", "Late"], "required": True}}, as_=STAFF_ADMIN)
    field = body["data"]["profileFieldSave"]["field"]
    assert field["key"] == "shift" and field["required"] and field["position"] == 2
    body = await gql(FIELD_SAVE, {"input": {"id": field["id"], "label": "Shift pattern", "required": False}},
                     as_=STAFF_ADMIN)
    assert body["data"]["profileFieldSave"]["field"]["label"] == "Shift pattern"
    body = await gql(FIELD_SAVE, {"input": {"id": field["id"], "key": "shifts"}}, as_=STAFF_ADMIN)
    assert body["data"]["profileFieldSave"]["userErrors"] == [{"code": "INVALID_KEY", "field": ["input", "key"]}]
    listed = await gql("{ profileFields { key label } }", as_=BUYER)
    assert [f["key"] for f in listed["data"]["profileFields"]] == ["cost_center", "department", "shift"]
    # Delete: refused for support staff, then done; people's values are no longer shown.
    denied = await gql(FIELD_DELETE, {"id": field["id"]}, as_=STAFF_SUPPORT)
    assert codes(denied) == ["FORBIDDEN"]
    done = await gql(FIELD_DELETE, {"id": field["id"]}, as_=STAFF_ADMIN)
    assert done["data"]["profileFieldDelete"] == {"deletedId": field["id"], "userErrors": []}
    again = await gql(FIELD_DELETE, {"id": field["id"]}, as_=STAFF_ADMIN)
    assert [e["code"] for e in again["data"]["profileFieldDelete"]["userErrors"]] == ["NOT_FOUND"]
    assert await count(db, ProfileField) == before


async def test_staff_read_members_custom_fields_and_colleagues_do_not(gql, db):
    staff = await gql("""query { accounts(search: "Acme") { nodes { members {
        user { email } customFields { field { key } value } } } } }""", as_=STAFF_SUPPORT)
    members = {m["user"]["email"]: m["customFields"] for m in staff["data"]["accounts"]["nodes"][0]["members"]}
    assert members[BUYER] == [{"field": {"key": "cost_center"}, "value": "DEN-4410"},
                              {"field": {"key": "department"}, "value": "Maintenance"}]
    assert members["approver@acme.example"] == [{"field": {"key": "cost_center"}, "value": None},
                                                {"field": {"key": "department"}, "value": None}]
    # The account's ADMIN sees the members but not their custom fields; a member sees its own.
    admin = await gql(MEMBERS, as_="admin@acme.example")
    seen = {m["user"]["email"]: m["customFields"] for m in admin["data"]["viewer"]["accounts"][0]["members"]}
    assert seen[BUYER] is None and seen["admin@acme.example"] is not None
    assert {e["extensions"]["code"] for e in admin["errors"]} == {"FORBIDDEN"}
    own = await gql("{ viewer { customFields { field { key } value } } }", as_=BUYER)
    assert own["data"]["viewer"]["customFields"][0] == {"field": {"key": "cost_center"}, "value": "DEN-4410"}


async def test_members_custom_fields_read_in_a_fixed_number_of_statements(gql, db):
    plain = """query { accounts(search: "Acme") { nodes { members { createdAt } } } }"""
    query = """query { accounts(search: "Acme") { nodes { members { customFields { value } } } } }"""
    body = await gql(query, as_=STAFF_SUPPORT)
    assert len(body["data"]["accounts"]["nodes"][0]["members"]) == 5
    # The members' users in one statement and the field definitions in one, whatever the members.
    assert body["_statements"] == (await gql(plain, as_=STAFF_SUPPORT))["_statements"] + 2
