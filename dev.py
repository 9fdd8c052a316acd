#!/usr/bin/env python3
"""Set up a virtualenv in .venv, install Portalql into it from the lock, then run the demo or the tests.

    python3 dev.py demo [--port 8000] [--scale N]   # migrate, seed demo data, serve with GraphiQL
    python3 dev.py test [pytest args]               # run the whole test suite
    python3 dev.py install                          # only set up .venv
    python3 dev.py upgrade                          # newest allowed versions into the locks, then the suite

Only the standard library is used here, so this works on a fresh machine with Python 3.11+.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".portalql-installed"
# Exact versions with their hashes, made by pip-tools from pyproject.toml: what .venv and CI install
# (the server and the test tools), and what the Dockerfile installs (the server alone).
LOCK = ROOT / "requirements-test.lock"
SERVER_LOCK = ROOT / "requirements.lock"
PYPI = "https://pypi.org/simple"


def _wanted() -> str:
    return hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Portalql needs Python 3.11 or newer")
    want = _wanted()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == want:
        return  # a second run starts at once
    # A changed lock gets a new .venv, so nothing of the old versions stays behind.
    if VENV.exists():
        print("the lock changed: creating .venv anew", flush=True)
        shutil.rmtree(VENV)
    print("creating .venv and installing the locked dependencies", flush=True)
    venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [PY, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", LOCK], check=True)
    # The project itself, editable, built with the locked setuptools: nothing outside the lock.
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", ROOT], check=True)
    STAMP.write_text(want)


def lock(upgrade: bool) -> None:
    """Write both locks from pyproject.toml with pip-tools, from PyPI alone (this machine's pip
    configuration, extra indexes or local wheels, must not leak into what other machines install)."""
    subprocess.run([PY, "-m", "pip", "install", "-q", "pip-tools"], check=True)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "CUSTOM_COMPILE_COMMAND": "python3 dev.py upgrade"}
    common = ["--quiet", "--generate-hashes", "--allow-unsafe", "--strip-extras", "--index-url", PYPI,
              "--no-emit-index-url", "--no-emit-find-links", *(["--upgrade"] if upgrade else [])]
    for output, extra in ((SERVER_LOCK, ["--build-deps-for", "wheel"]),
                          (LOCK, ["--build-deps-for", "editable", "--extra", "test"])):
        print(f"writing {output.name}", flush=True)
        # Paths relative to the project, so that the locks do not depend on where it is checked out.
        subprocess.run([BIN / "pip-compile", *common, *extra, "--output-file", output.name, "pyproject.toml"],
                       check=True, env=env, cwd=ROOT)


def _run(program: Path, args: list[str]) -> int:
    """Become the program (on POSIX), so that Ctrl-C and `kill` reach it and not a parent that
    would leave it running."""
    if os.name == "posix":
        os.execv(program, [str(program), *args])
    return subprocess.call([program, *args])


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "install", "upgrade"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    ensure_venv()
    os.chdir(ROOT)
    if command == "install":
        return 0
    if command == "upgrade":
        lock(upgrade=True)
        ensure_venv()
        print("locks upgraded: running the suite; read `git diff *.lock` and commit both if it passes", flush=True)
        return subprocess.call([PY, "-m", "pytest", *rest])
    if command == "demo":
        return _run(BIN / "portalql", ["demo", *rest])
    return _run(PY, ["-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main())
