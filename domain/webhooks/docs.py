"""Writes docs/webhook-events.md from the catalogue:
`python -m domain.webhooks.docs > docs/webhook-events.md`. A test fails when the checked-in file
differs, so the list of events and their payloads cannot drift from the code."""
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from domain.webhooks.catalogue import EVENTS, OBJECTS, ObjectKind
from domain.webhooks.outbox import _camel


def _type(kind: ObjectKind, name: str) -> str:
    annotation = kind.model.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    optional = bool(typing.get_args(annotation)) and len(args) < len(typing.get_args(annotation))
    base = args[0] if args else annotation
    if isinstance(base, type) and issubclass(base, Enum):
        text = " \\| ".join(f"`{m.value}`" for m in base)
    elif base is Decimal:
        text = "decimal as a string (`\"1234.5000\"`)"
    elif base is datetime:
        text = "date-time (ISO 8601, UTC)"
    elif base is date:
        text = "date (ISO 8601)"
    elif base is bool:
        text = "boolean"
    elif base is int:
        text = "integer"
    else:
        text = "string"
    return text + (", or null" if optional else "")


def render() -> str:
    out = ["# Webhook events", "",
           "Generated from `domain/webhooks/catalogue.py` by `python -m domain.webhooks.docs`; do not edit by hand.",
           "How endpoints are registered, how requests are signed and retried: [webhooks.md](webhooks.md).", "",
           "Every request's body is one event:", "", "```json",
           '{"type": "order.approved", "timestamp": "2026-06-15T12:00:00+00:00",',
           ' "data": {"object": "Order", "id": "T3JkZXI6MTI", "version": 4711,',
           '          "state": {"number": "SO-1001", "status": "OPEN", "...": "..."}}}', "```", "",
           "`data.id` is the object's global ID (as the GraphQL API's `node(id:)` takes it), `data.state` the",
           "object after the change, `data.version` a number that grows with every event of the object: a",
           "receiver that sees a lower version than one it has already applied can drop the event. Retries and",
           "replays carry the same `webhook-id` header. No payload holds a secret, a token, or a field outside",
           "the object's integration scope.", "",
           "## Events", "", "| event | object | sent when |", "|---|---|---|"]
    for e in EVENTS.values():
        out.append(f"| `{e.name}` | [{e.object}](#{e.object.lower()}) | {e.description} |")
    out += [""]
    for kind in OBJECTS.values():
        out += [f"## {kind.name}", "", f"The state of a {kind.name} (integration scope `{kind.scope}`):", "",
                "| field | type |", "|---|---|"]
        for f in kind.fields:
            out.append(f"| `{_camel(f)}` | {_type(kind, f)} |")
        for column, type_name in kind.links:
            out.append(f"| `{_camel(column.removesuffix('_id'))}Id` | global ID of a {type_name}, or null |")
        if kind.name == "Membership":
            out.append("| `roles` | list of `{role, locationId}` (locationId null: account-wide) |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
