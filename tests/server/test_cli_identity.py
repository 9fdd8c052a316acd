"""`portalql apikey` and `portalql mail`: keys are printed once and listed without the secret;
the outbox lists and shows messages (development reads sign-in links there)."""
import asyncio
import shutil

import pytest

from db.engine import Database
from domain import mail
from server.cli import main
from tests.conftest import NOW


def test_apikey_and_mail_commands(tmp_path, sqlite_template, monkeypatch, capsys):
    if sqlite_template is None:
        pytest.skip("runs on a copy of the SQLite test database")
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("PORTALQL_SMTP_URL", raising=False)

    assert main(["apikey", "create", "--name", "shop backend"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("pqk_")
    assert main(["apikey", "list"]) == 0
    listed = capsys.readouterr().out
    assert "shop backend" in listed and key not in listed and key[:12] in listed
    assert main(["apikey", "revoke", "1"]) == 0 and "revoked" in capsys.readouterr().out

    async def queue() -> None:
        db = Database(url)
        async with db.transaction() as s:
            mail.enqueue(s, to="jo@example.com", template="magic_link", now=NOW, locale="de", name="Jo",
                         link="http://localhost:3000/sign-in/link?token=pqm_x", code="ABC234")
        await db.dispose()
    asyncio.run(queue())
    assert main(["mail", "list"]) == 0
    assert "jo@example.com" in (out := capsys.readouterr().out) and "Ihr Anmeldecode: ABC234" in out
    assert main(["mail", "show", "1", "--html"]) == 0
    out = capsys.readouterr().out
    assert "token=pqm_x" in out and '<a href="http://localhost:3000/sign-in/link?token=pqm_x">' in out
    assert "List-Unsubscribe" not in out  # a sign-in code is essential
    assert main(["worker", "--once"]) == 0  # no SMTP configured: mail stays in the outbox
    assert "stay in the outbox" in capsys.readouterr().out
