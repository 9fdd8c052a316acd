"""GraphiQL in development, from this server's own assets; none in production."""
import re
from dataclasses import replace

import httpx

from schema.limits import Limits
from server.app import create_app
from server.settings import Settings
from tests.server.helpers import DEADLINE_SECONDS, client_for


async def test_graphiql_page_loads_only_local_assets(db, clock):
    # 4 MB of assets through the in-process transport: on a loaded machine that can take longer
    # than the default end-to-end limit of 10 s, which is not what this test is about.
    async with client_for(db, clock, limits=replace(Limits(), timeout_seconds=DEADLINE_SECONDS)) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "GraphiQL" in page.text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets and all(a.startswith("/graphiql-assets/") for a in assets), assets
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200 and len(response.content) > 1000, asset


async def test_production_has_no_graphiql_and_no_introspection(db, clock):
    app = create_app(Settings(database_url=db.url, environment="production"), db=db, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        page = await c.get("/graphql", headers={"accept": "text/html"})
        assert "GraphiQL" not in page.text and page.status_code >= 400
        assert (await c.get("/graphiql-assets/graphiql.min.js")).status_code == 404
        body = (await c.post("/graphql", json={"query": "{ __schema { types { name } } }"})).json()
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
