"""No secret reaches a log, in production or development mode: a password written inline in a
mutation's text (not as a variable), the session token it returns, a wrong password, and the
same password inside queries that fail (parse, validation, a business failure, throttling).
Expected client errors leave no traceback.

Every logger is captured (a handler on each, at DEBUG) and so is the process's stderr."""
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from db.repositories.users import user_by_email
from domain.auth import hash_password
from tests.server.helpers import client_for

PASSWORD = "Inline-Pw-7fQ2xK9v"  # the owner's real password, written into the mutation text
WRONG = "Wrong-Pw-3mZ8rT1c"
EMAIL = "buyer@acme.example"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + record.stack_info
        extra = {k: v for k, v in record.__dict__.items() if k not in logging.LogRecord("", 0, "", 0, "", (), None).__dict__}
        self.lines.append(f"{record.levelname} {record.name} {text} {extra!r}")


@pytest.fixture
def captured() -> Iterator[_Capture]:
    """Every record of every logger, whatever its level or propagation."""
    capture = _Capture()
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(capture)
        lg.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for lg, level in levels:
            lg.removeHandler(capture)
            lg.setLevel(level)


def _inline(password: str, email: str = EMAIL) -> str:
    return f'mutation {{ signIn(input: {{email: "{email}", password: "{password}"}}) ' \
           '{ session { token } userErrors { code message } } }'


FAILING = [
    # a parse error: its excerpt is the line with the password
    f'mutation {{ signIn(input: {{email: "{EMAIL}", password: "{PASSWORD}"}}) {{ session {{ token }} ',
    # validation errors: an unknown field beside the password, a password of the wrong type
    f'mutation {{ signIn(input: {{email: "{EMAIL}", password: "{PASSWORD}", remember: true}}) {{ session {{ token }} }} }}',
    f'mutation {{ signIn(input: {{email: "{EMAIL}", password: "{PASSWORD}"}}) {{ session {{ tokn }} }} }}',
    f'mutation {{ signIn(input: {{email: {PASSWORD.replace("-", "_")}, password: "{PASSWORD}"}}) {{ session {{ token }} }} }}',
]


@pytest.mark.parametrize("environment", ["production", "development"])
async def test_an_inline_password_and_its_token_are_in_no_log(db: Any, clock: Any, environment: str,
                                                             captured: _Capture, capfd: Any) -> None:
    async with db.transaction() as s:
        user = await user_by_email(s, EMAIL)
        user.password_hash = hash_password(PASSWORD)
        s.add(user)
    async with client_for(db, clock, environment=environment) as client:
        async def post(query: str, **kw: Any) -> dict[str, Any]:
            return (await client.post("/graphql", json={"query": query}, **kw)).json()

        # The owner signs in: the token is in the answer, and only there.
        body = await post(_inline(PASSWORD))
        token = body["data"]["signIn"]["session"]["token"]
        assert token
        # Wrong passwords until the limit refuses them (THROTTLED), each written inline.
        answers = [await post(_inline(WRONG)) for _ in range(7)]
        assert answers[0]["data"]["signIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
        assert answers[-1]["errors"][0]["extensions"]["code"] == "THROTTLED"
        for query in FAILING:
            body = await post(query)
            assert body["errors"] and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        other = await post(_inline(PASSWORD, "nobody@acme.example"))
        assert other["data"]["signIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
        body = await post("{ viewer { name } }", headers={"authorization": f"Bearer {token}"})
        assert body["data"]["viewer"]["name"]
    out, err = capfd.readouterr()
    text = "\n".join(captured.lines) + out + err
    assert captured.lines, "nothing was captured: the capture is broken"
    for secret in (PASSWORD, WRONG, PASSWORD.replace("-", "_"), token):
        assert secret not in text, f"{secret!r} in the logs:\n{text[:3000]}"
    # Expected failures (BAD_USER_INPUT, THROTTLED, INVALID_CREDENTIALS) leave no traceback.
    assert "Traceback" not in text, text[text.index("Traceback") - 500:][:3000]
