"""Email templates: i18n/mail/<template>/<locale>.txt, one file per template and locale.

The first line is `Subject: ...`, then a blank line, then the body. `{name}` placeholders are
filled with str.format_map from the message's params. A missing locale falls back to the
language ('de' for 'de_AT') and then to English."""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from i18n.locales import candidates

ROOT = Path(__file__).parent / "mail"


class TemplateError(Exception):
    """A template that does not exist, is malformed, or names a parameter not given."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str
    locale: str


@lru_cache(maxsize=256)
def _load(template: str, locale: str) -> tuple[str, str] | None:
    path = ROOT / template / f"{locale}.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    if not sep or not head.startswith("Subject: ") or "\n" in head:
        raise TemplateError(f"{path}: the first line must be 'Subject: ...', then a blank line")
    return head.removeprefix("Subject: ").strip(), body


def templates() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if p.is_dir())


class _Dropped(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def subject(template: str, locale: str | None, params: dict[str, Any]) -> str:
    """Only the subject line (lists of messages whose secret parameters were dropped after sending)."""
    for candidate in candidates(locale):
        found = _load(template, candidate) if template.replace("_", "").isalnum() else None
        if found is not None:
            try:
                return found[0].format_map(_Dropped(params))
            except (IndexError, ValueError):
                return found[0]
    raise TemplateError(f"no template {template!r}")


def render(template: str, locale: str | None, params: dict[str, Any]) -> RenderedMail:
    if not template.replace("_", "").isalnum():
        raise TemplateError(f"bad template name {template!r}")
    for candidate in candidates(locale):
        found = _load(template, candidate)
        if found is None:
            continue
        subject, body = found
        try:
            return RenderedMail(subject.format_map(params), body.format_map(params), candidate)
        except (KeyError, IndexError, ValueError) as e:
            raise TemplateError(f"{template}/{candidate}: missing or bad parameter {e}") from None
    raise TemplateError(f"no template {template!r}")
