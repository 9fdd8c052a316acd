"""`portalql persisted FILE...` registers operations in PORTALQL_PERSISTED_QUERIES."""
import hashlib
import json

import pytest

from server.cli import main


def test_register_operations(tmp_path, monkeypatch, capsys):
    store = tmp_path / "operations.json"
    op = tmp_path / "me.graphql"
    op.write_text("query Me { viewer { name } }\n")
    monkeypatch.setenv("PORTALQL_PERSISTED_QUERIES", str(store))
    assert main(["persisted", str(op)]) == 0
    digest = hashlib.sha256(op.read_text().encode()).hexdigest()
    assert json.loads(store.read_text()) == {digest: op.read_text()}
    assert capsys.readouterr().out.startswith(digest)


def test_refuses_what_does_not_parse(tmp_path, monkeypatch):
    op = tmp_path / "bad.graphql"
    op.write_text("query { viewer { ")
    monkeypatch.setenv("PORTALQL_PERSISTED_QUERIES", str(tmp_path / "operations.json"))
    with pytest.raises(SystemExit, match="bad.graphql"):
        main(["persisted", str(op)])
