"""Fixtures of the server tests: for the document routes, a client of an app keeping its files
under tmp_path and a record of what the PDF renderer was asked to render."""
import pytest

from integrations.pdf import XhtmlPdfRenderer
from tests.server.helpers import client_for


@pytest.fixture
async def docs(db, clock, tmp_path):  # type: ignore[no-untyped-def]
    async with client_for(db, clock, upload_dir=str(tmp_path)) as c:
        yield c


@pytest.fixture
def renders(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Each render as "kind:locale" (invoice:fr), in order."""
    seen: list[str] = []
    original = XhtmlPdfRenderer.render

    def counting(self, document, locale):  # type: ignore[no-untyped-def]
        seen.append(f"{document.kind}:{locale}")
        return original(self, document, locale)
    monkeypatch.setattr(XhtmlPdfRenderer, "render", counting)
    return seen

