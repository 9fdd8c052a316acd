"""The customer portal at /: its page and assets, its operation files (each must validate against
schema.graphql), their registration as persisted queries, the demo users only in demo mode, and
the landing of emailed links. The browser flows are in tests/browser."""
import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path

from graphql import build_schema, parse, validate

from server.portal import PORTAL_DIR, manifest, operation_files
from server.settings import Settings
from tests.conftest import NOW, make_token
from tests.server.helpers import client_for

ROOT = Path(__file__).resolve().parents[2]


def test_every_operation_file_validates_against_schema_graphql():
    schema = build_schema((ROOT / "schema.graphql").read_text())
    files = operation_files()
    assert len(files) >= 8
    for name, text in files.items():
        errors = validate(schema, parse(text))
        assert not errors, f"{name}: {[e.message for e in errors]}"


def test_an_operation_that_no_longer_validates_is_caught():
    schema = build_schema((ROOT / "schema.graphql").read_text())
    stale = "query Stale { viewer { name noSuchField } }"
    assert validate(schema, parse(stale))


def test_operation_names_are_unique_and_every_page_calls_only_registered_ones():
    names = manifest()
    sources = "\n".join(p.read_text() for p in PORTAL_DIR.rglob("*.js"))
    called = set(re.findall(r'(?:call|upload)\("([A-Za-z]+)"', sources))
    assert called and called <= set(names), called - set(names)


def test_english_and_german_have_the_same_messages():
    text = (PORTAL_DIR / "lib" / "i18n.js").read_text()
    en, de = text.split("\n  de: {", 1)
    keys = re.compile(r'"([a-zA-Z]+\.[A-Za-z_]+)":')
    assert set(keys.findall(en)) == set(keys.findall(de.split("\n};", 1)[0]))


def test_pages_set_text_never_markup():
    for path in PORTAL_DIR.rglob("*.js"):
        assert "innerHTML" not in path.read_text(), path


async def test_the_portal_is_served_at_the_root_with_local_assets_only(db, clock):
    async with client_for(db, clock) as c:
        page = await c.get("/")
        assert page.status_code == 200 and '<div id="app">' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assets = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
        assert assets and all(a.startswith("/portal/") for a in assets)
        for asset in assets + ["/portal/pages/catalog.js", "/portal/lib/i18n.js", "/portal/operations/cart.graphql"]:
            assert (await c.get(asset)).status_code == 200, asset
        assert "GraphiQL" in (await c.get("/graphql", headers={"accept": "text/html"})).text


async def test_demo_users_are_listed_only_in_demo_mode(db, clock):
    async with client_for(db, clock) as c:
        config = (await c.get("/portal/config.json")).json()
        assert config["demo"] is False and config["demoUsers"] == [] and "demoPassword" not in config
        assert config["operations"] == manifest()
    async with client_for(db, clock, demo=True) as c:
        config = (await c.get("/portal/config.json")).json()
        assert config["demo"] is True and config["demoPassword"] == "portal-demo"
        assert "buyer@acme.example" in [u["email"] for u in config["demoUsers"]]


async def test_operations_run_by_their_hash_alone_even_when_only_registered_ones_are_allowed(db, clock):
    token = await make_token(db, "buyer@acme.example", NOW)
    async with client_for(db, clock, persisted_only=True) as c:
        body = {"operationName": "Viewer", "variables": {},
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": manifest()["Viewer"]}}}
        answer = (await c.post("/graphql", json=body, headers={"authorization": f"Bearer {token}"})).json()
        viewer = answer["data"]["viewer"]
        assert viewer["email"] == "buyer@acme.example" and viewer["locale"] in (None, "en")
        assert [g["role"] for m in viewer["memberships"] for g in m["roles"]] == ["BUYER"]
        rules = {r["name"]: r["roles"] for r in answer["data"]["accessRules"]}
        assert rules["Mutation.orderApprove"] == ["ADMIN", "APPROVER"]
        # Text the portal does not own is still refused.
        other = await c.post("/graphql", json={"query": "{ viewer { name } }"})
        assert other.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_the_policy_is_for_signed_in_callers(db, clock):
    async with client_for(db, clock) as c:
        body = {"operationName": "Viewer",
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": manifest()["Viewer"]}}}
        answer = (await c.post("/graphql", json=body)).json()
        assert answer["data"] is None or answer["data"].get("accessRules") is None
        assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_emailed_links_land_on_the_portal_pages(db, clock):
    async with client_for(db, clock) as c:
        r = await c.get("/sign-in/link?token=abc")
        assert r.status_code == 303 and r.headers["location"] == "/#/sign-in/link?token=abc"
        for path in ("confirm-email-change", "undo-email-change"):  # the email-change links
            r = await c.get(f"/{path}?token=pqe_x")
            assert r.status_code == 303 and r.headers["location"] == f"/#/{path}?token=pqe_x"


async def test_without_the_portal_the_root_is_not_found(db, clock):
    async with client_for(db, clock, portal=False) as c:
        assert (await c.get("/")).status_code == 404
        assert (await c.get("/portal/app.js")).status_code == 404


def test_settings_read_the_portal_and_demo_flags(monkeypatch):
    monkeypatch.setenv("PORTALQL_DEMO", "1")
    monkeypatch.setenv("PORTALQL_PORTAL", "0")
    settings = Settings.from_env()
    assert settings.demo and not settings.portal
    assert replace(settings, portal=True).portal


def test_the_manifest_hashes_are_the_files_hashes():
    digests = {hashlib.sha256(t.encode()).hexdigest() for t in operation_files().values()}
    assert set(manifest().values()) == digests


async def test_an_upload_runs_only_a_registered_operation_when_only_those_are_allowed(db, clock):
    token = await make_token(db, "buyer@acme.example", NOW)
    headers = {"authorization": f"Bearer {token}"}

    def upload(query: str) -> dict:
        operations = json.dumps({"query": query, "variables": {"file": None}})
        return {"data": {"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
                "files": {"0": ("a.txt", b"hello", "text/plain")}, "headers": headers}

    async with client_for(db, clock, persisted_only=True) as c:
        refused = await c.post("/graphql", **upload("query($file: Upload) { viewer { name } }"))
        assert refused.status_code == 400 and "Only registered operations" in refused.text
    async with client_for(db, clock) as c:  # otherwise any text runs, as a JSON body's would
        allowed = await c.post("/graphql", **upload("query($file: Upload) { viewer { name } }"))
        # Reaches GraphQL itself, which checks the text (this one names a variable it never uses).
        assert allowed.status_code == 200 and "is never used" in allowed.json()["errors"][0]["message"]
