"""The portalql command, run as a user would (from another folder than the project's): migrate,
demo --no-serve, token create, serve; a missing, empty or unreachable database is one line; and
`dev.py demo` is the server itself, so that a signal to it stops the server."""
import os
import shutil
import signal
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from domain.auth import SCRIPT_SESSION, new_session, session_state
from server.cli import main
from server.settings import Settings
from tests.conftest import DATABASE_URL, NOW, ON_POSTGRES
from tests.server.helpers import DEADLINE_SECONDS, answering, free_port, wait_for

BIN = Path(sys.executable).parent / "portalql"
ROOT = Path(__file__).resolve().parents[2]


def portalql(*args: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([BIN, *args], env=env, capture_output=True, text=True, cwd=cwd, timeout=DEADLINE_SECONDS)


def sqlite_env(path: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    env.pop("PORTALQL_ENV", None)
    return env


def started_server(args: list[str], env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.kill()
        server.wait()


@pytest.mark.skipif(ON_POSTGRES, reason="uses its own SQLite file; the PostgreSQL run covers the rest")
def test_demo_seeds_once_and_token_create_prints_a_working_token(tmp_path):
    env = sqlite_env(tmp_path / "cli.db")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    first = portalql("demo", "--no-serve", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = portalql("demo", "--no-serve", env=env, cwd=elsewhere)
    assert "not seeding" in again.stdout
    token = portalql("token", "create", "--email", "ap@acme.example", env=env, cwd=elsewhere)
    assert token.returncode == 0 and token.stdout.strip().startswith("pqs_")
    missing = portalql("token", "create", "--email", "nobody@x.example", env=env, cwd=elsewhere)
    assert missing.returncode != 0 and "no user" in missing.stderr

    # A real server on the seeded database answers with that token.
    port = free_port()
    server = started_server([BIN, "serve", "--port", str(port)], env, elsewhere, tmp_path / "serve.log")
    try:
        wait_for(lambda: answering(port) or server.poll() is not None, f"the server on port {port}",
                 seen=(tmp_path / "serve.log").read_text)
        import httpx  # noqa: PLC0415
        body = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ viewer { email } }"},
                          headers={"authorization": f"Bearer {token.stdout.strip()}"},
                          timeout=DEADLINE_SECONDS).json()
        assert body["data"] == {"viewer": {"email": "ap@acme.example"}}
    finally:
        stop(server)


def test_a_script_token_lives_its_hours_without_an_idle_timeout():
    idle = timedelta(minutes=30)
    user = SimpleNamespace(id=1)
    _, person = new_session(user, NOW, timedelta(hours=24), method="password")  # type: ignore[arg-type]
    _, script = new_session(user, NOW, timedelta(hours=24), method=SCRIPT_SESSION)  # type: ignore[arg-type]
    assert session_state(person, NOW + timedelta(minutes=31), idle) == "idle"
    assert session_state(script, NOW + timedelta(hours=23, minutes=59), idle) is None
    assert session_state(script, NOW + timedelta(hours=24), idle) == "expired"


def test_without_database_url_every_command_uses_the_projects_file(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PORTALQL_UPLOAD_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env()
    assert settings.database_url == f"sqlite+aiosqlite:///{ROOT / 'portalql.db'}"
    assert settings.upload_dir == str(ROOT / "uploads")


def test_a_missing_or_empty_sqlite_database_is_one_line_and_not_created(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "missing.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    for command in (["mail", "list"], ["apikey", "list"], ["token", "create", "--email", "ap@acme.example"],
                    ["worker", "--once"], ["serve", "--port", str(free_port())]):
        assert main(command) == 1, command
        assert capsys.readouterr() == ("", f"there is no database at {missing}: run `portalql migrate` (or `portalql "
                                           "demo`) to create it, or point DATABASE_URL at yours\n"), command
        assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{empty}")
    assert main(["mail", "list"]) == 1
    assert capsys.readouterr().err == (f"the database {empty} is empty (not migrated): run `portalql migrate` "
                                       "(`portalql demo` also adds demo data)\n")


def test_an_unreachable_postgresql_server_is_one_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/portalql_test"}
    for command in (["mail", "list"], ["migrate"]):
        result = portalql(*command, env=env, cwd=tmp_path)  # a process of its own: no traceback on stderr
        assert result.returncode == 1 and result.stderr.count("\n") == 1, (command, result.stderr)
        assert result.stderr.startswith("cannot reach the database portalql_test on 127.0.0.1:"), result.stderr
        assert result.stderr.endswith(": start it or set DATABASE_URL\n")


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_one_line(tmp_path):
    url = sa.engine.make_url(DATABASE_URL).set(database="portalql_test_never_created")
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)}
    result = portalql("demo", "--no-serve", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (f"the database portalql_test_never_created on {url.host}:{url.port or 5432} does not "
                             "exist: create it (createdb portalql_test_never_created) or point DATABASE_URL "
                             "at another\n")


def test_serve_says_where_it_listens_once_bound_and_a_taken_port_in_one_line(tmp_path):
    env = sqlite_env(tmp_path / "serve.db")
    assert portalql("migrate", env=env, cwd=tmp_path).returncode == 0
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = portalql("serve", "--port", str(port), env=env, cwd=tmp_path)
    finally:
        taken.close()
    assert result.returncode == 1 and "Portalql on" not in result.stdout
    assert result.stderr == f"cannot listen on 127.0.0.1:{port}: Address already in use\n"

    port = free_port()
    log = tmp_path / "serve.log"
    server = started_server([BIN, "serve", "--port", str(port)], env, tmp_path, log)
    try:
        wait_for(lambda: "Portalql on" in log.read_text() or server.poll() is not None, "the listening line",
                 seen=log.read_text)
        with socket.socket() as probe, pytest.raises(OSError):  # the port is ours once the line is out
            probe.bind(("127.0.0.1", port))
        assert log.read_text().startswith(f"Portalql on http://127.0.0.1:{port}/graphql")
    finally:
        stop(server)


@pytest.mark.skipif(os.name != "posix", reason="dev.py hands over with execv on POSIX only")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_dev_py_demo_stops_the_server(tmp_path, sqlite_template, sig):
    if sqlite_template is None:
        pytest.skip("runs on a copy of the SQLite test database")
    shutil.copy(sqlite_template, tmp_path / "demo.db")  # demo data already: nothing to seed
    env = sqlite_env(tmp_path / "demo.db")
    port = free_port()
    log = tmp_path / "demo.log"
    demo = started_server([sys.executable, ROOT / "dev.py", "demo", "--port", str(port)], env, tmp_path, log)
    try:
        wait_for(lambda: answering(port) or demo.poll() is not None, "the demo server", seen=log.read_text)
        assert demo.poll() is None, log.read_text()
        demo.send_signal(sig)  # what Ctrl-C (SIGINT) or `kill` (SIGTERM) sends to the process dev.py is
        # uvicorn stops gracefully, then ends by the signal it caught (as `uvicorn.run` does for SIGTERM).
        assert demo.wait(timeout=DEADLINE_SECONDS) in (0, -sig), log.read_text()
        assert "Application shutdown complete" in log.read_text()
        assert answering(port) is None
    finally:
        stop(demo)


def test_bad_scale_is_refused(tmp_path):
    result = portalql("demo", "--no-serve", "--scale", "0", env=sqlite_env(tmp_path / "cli.db"), cwd=tmp_path)
    assert result.returncode == 2 and "--scale must be at least 1" in result.stderr
