"""Writes docs/permissions.md from the policy table: `python -m permissions.docs > docs/permissions.md`.

A test fails when the checked-in file differs, so the document cannot drift from the code."""
from db.enums import Role, StaffRole
from permissions.policy import IMPLIED_SCOPES, POLICY, Rule

KINDS = {"rows": "Rows (who sees which objects)", "field": "Fields (null with FORBIDDEN for others)",
         "mutation": "Mutations"}


def _cell(rule: Rule, role: Role) -> str:
    return "yes" if role in rule.roles else ""


def render() -> str:
    out = ["# Permissions", "",
           "Generated from `permissions/policy.py` by `python -m permissions.docs`; do not edit by hand.", "",
           "A role limited to locations grants rows and fields of those locations only; things of the",
           "account as a whole need the role account-wide. *owner*: the member the row belongs to (the",
           "buyer who placed an order, the member whose membership it is) also has access. Objects",
           "outside what a caller may see are `NOT_FOUND`, exactly like objects that do not exist.",
           "Integration clients act for one account and need the OAuth scope shown; "
           f"{', '.join(sorted(IMPLIED_SCOPES))} is implied for every client.", ""]
    roles = list(Role)
    for kind, title in KINDS.items():
        entries = [(k, r) for k, r in POLICY.items() if r.kind == kind]
        if not entries:
            continue
        out += [f"## {title}", "",
                "| what | " + " | ".join(r.value for r in roles) + " | owner | staff | OAuth scope | meaning |",
                "|---" * (len(roles) + 5) + "|"]
        for key, rule in entries:
            name = key.removeprefix("rows:")
            staff = "anyone" if rule.public else ", ".join(s.value for s in StaffRole if s in rule.staff) or "none"
            cells = ["anyone" if rule.public else _cell(rule, role) for role in roles]
            out.append(f"| `{name}` | " + " | ".join(cells) + f" | {'yes' if rule.owner else ''} | {staff} | "
                       f"{rule.oauth_scope or ''} | {rule.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
