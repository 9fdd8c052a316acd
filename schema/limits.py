"""Abuse limits checked on the parsed document before validation and execution.

Validation itself is the expensive part of a hostile query (overlapping-field checks grow with
the square of the aliases), so these checks run first and stop at the first limit crossed."""
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from db.pagination import MAX_PAGE


@dataclass(frozen=True)
class Limits:
    max_cost: int = 1000               # one query's requested cost
    # Leaky bucket per caller (cost points): a person clicking through 20 invoice pages of 50 at
    # once (about 50 each) stays well inside it (tests/server/test_throttling.py).
    bucket_size: int = 2000
    restore_rate: int = 50             # points restored per second
    max_depth: int = 15                # nested selection sets
    max_aliases: int = 30              # aliased fields in a document
    max_fields: int = 300              # field selections in a document (fragments counted once)
    max_tokens: int = 5000             # lexer tokens, enforced by the parser
    max_directives: int = 30           # directives in a document
    max_directives_per_node: int = 3   # directives on one field or fragment
    max_body_bytes: int = 256 * 1024   # HTTP request body
    timeout_seconds: float = 10.0      # one request, end to end
    max_page: int = MAX_PAGE           # first/last (db/pagination.py enforces the same)

    @property
    def cost_maximum(self) -> int:
        """A query costing more than a full bucket could never run: refused as too costly, not
        throttled with a wait that would never be enough."""
        return min(self.max_cost, self.bucket_size)


def limit_error(message: str, limit: str, maximum: int | float) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "limit": limit, "maximum": maximum})


class _Walk:
    def __init__(self, doc: DocumentNode, limits: Limits, variables: dict[str, Any] | None) -> None:
        self.limits = limits
        self.variables = variables or {}
        self.fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
        self.depth_of: dict[str, int] = {}

    def depth(self, sel: SelectionSetNode | None, seen: frozenset[str] = frozenset()) -> int:
        if sel is None:
            return 0
        deepest = 0
        for s in sel.selections:
            if isinstance(s, FieldNode):
                d = 1 + self.depth(s.selection_set, seen) if s.selection_set else 0
            elif isinstance(s, InlineFragmentNode):
                d = self.depth(s.selection_set, seen)
            elif isinstance(s, FragmentSpreadNode):
                name = s.name.value
                frag = self.fragments.get(name)
                if frag is None or name in seen:  # unknown or cyclic: validation reports it
                    continue
                if name not in self.depth_of:
                    self.depth_of[name] = self.depth(frag.selection_set, seen | {name})
                d = self.depth_of[name]
            else:
                continue
            if d > deepest:
                deepest = d
                if deepest > self.limits.max_depth:
                    return deepest
        return deepest


def check_document(doc: DocumentNode, limits: Limits, variables: dict[str, Any] | None = None) -> GraphQLError | None:
    """The first limit the document crosses, or None."""
    aliases = fields = directives = 0
    too_many_on_node = False
    pages: list[tuple[str, int]] = []
    stack: list[Any] = list(doc.definitions)
    while stack:
        node = stack.pop()
        node_directives = getattr(node, "directives", None) or ()
        directives += len(node_directives)
        if len(node_directives) > limits.max_directives_per_node:
            too_many_on_node = True
        if isinstance(node, FieldNode):
            fields += 1
            if node.alias is not None:
                aliases += 1
            for arg in node.arguments or ():
                if arg.name.value in ("first", "last"):
                    value: Any = arg.value
                    if isinstance(value, VariableNode):
                        value = (variables or {}).get(value.name.value)
                    else:
                        value = getattr(value, "value", None)
                    try:
                        pages.append((arg.name.value, int(value)))
                    except (TypeError, ValueError):
                        pass
        sel = getattr(node, "selection_set", None)
        if sel is not None:
            stack.extend(sel.selections)
        if aliases > limits.max_aliases:
            return limit_error(f"Too many aliases (at most {limits.max_aliases})", "aliases", limits.max_aliases)
        if fields > limits.max_fields:
            return limit_error(f"Too many fields (at most {limits.max_fields})", "fields", limits.max_fields)
        if directives > limits.max_directives or too_many_on_node:
            return limit_error(f"Too many directives (at most {limits.max_directives} per query and "
                               f"{limits.max_directives_per_node} per field)", "directives", limits.max_directives)
    for name, value in pages:
        if value > limits.max_page:
            return limit_error(f"{name} must be at most {limits.max_page}", "page", limits.max_page)
    walk = _Walk(doc, limits, variables)
    for d in doc.definitions:
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode):
            if walk.depth(d.selection_set) > limits.max_depth:
                return limit_error(f"Query is too deep (at most {limits.max_depth} levels)", "depth",
                                   limits.max_depth)
    return None
