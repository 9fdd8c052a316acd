"""OpenTelemetry: nothing of it is imported when tracing is off; spans when it is on."""
import subprocess
import sys

import pytest

from tests.server.helpers import client_for


def test_tracing_off_imports_nothing():
    code = ("import sys\nfrom server.app import create_app\nfrom server.settings import Settings\n"
            "create_app(Settings(database_url='sqlite+aiosqlite:///:memory:'))\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('opentelemetry')}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_tracing_on_records_spans(db, clock, monkeypatch):
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from server import tracing
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "configure_provider", lambda: None)
    from opentelemetry import trace
    monkeypatch.setattr(trace, "get_tracer", lambda *a, **k: provider.get_tracer("test"))
    secret = "inline-Secret-Password-42"
    sign_in = ('mutation { signIn(input: {email: "buyer@acme.example", password: "%s"}) '
               '{ userErrors { code } } }' % secret)
    async with client_for(db, clock, tracing=True) as c:
        r = await c.post("/graphql", json={"query": "query Ping { __typename viewer { name } }"})
        refused = await c.post("/graphql", json={"query": sign_in})
    assert r.json()["data"] == {"__typename": "Query", "viewer": None}
    assert refused.json()["data"]["signIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    recorded = repr([(s.name, dict(s.attributes or {})) for s in exporter.get_finished_spans()])
    assert "signIn" in recorded and secret not in recorded
    names = [s.name for s in exporter.get_finished_spans()]
    assert any("GraphQL" in n or "Ping" in n for n in names), names
    # Resolvers get spans too: the executor takes no shortcut past an extension that wraps them.
    assert any("viewer" in n for n in names), names
