"""Every top-level error carries extensions.code; unexpected ones are masked with a request id.
A bad literal's error names the argument it was given for. Query texts are parsed once."""
import logging
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import ArgumentNode, GraphQLError, GraphQLInputType, ValueNode, VariableDefinitionNode, parse
from graphql.language import SKIP
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension

from schema.scalars import DecimalInputError

log = logging.getLogger("portalql.errors")


class NamedValuesOfCorrectType(ValuesOfCorrectTypeRule):
    """graphql-core's rule, with the argument (and the field inside it) named in the message:
    "found: NaN" alone does not say which of a mutation's amounts was refused."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._where: str | None = None

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._where = f"Argument '{node.name.value}'"

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
        self._where = f"Default value of '${node.variable.name.value}'"

    def is_valid_value_node(self, node: ValueNode, input_type: GraphQLInputType | None) -> Any:
        if input_type:
            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                inner = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
                where = f"{self._where or 'A value'}{' at ' + inner if inner else ''}"
                self.report_error(GraphQLError(f"{where} is invalid: {error.message}", error.nodes,
                                               original_error=error.original_error))
            validate_input_literal(node, input_type, on_error, None, None, self.context.hide_suggestions)
        return SKIP


class ErrorCodes(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        ec.validation_rules = tuple(NamedValuesOfCorrectType if r is ValuesOfCorrectTypeRule else r
                                    for r in ec.validation_rules)
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if not result or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", "")
        result.errors = [self._coded(e, request_id) for e in result.errors]

    @staticmethod
    def _coded(error: GraphQLError, request_id: str) -> GraphQLError:
        code = (error.extensions or {}).get("code")
        original = error.original_error
        refused = original is None or isinstance(original, (GraphQLError, DecimalInputError))
        if code and refused:
            return error
        if refused:
            # Parse, validation and argument errors: the query itself is wrong.
            return GraphQLError(error.message, nodes=error.nodes, source=error.source,
                                positions=error.positions, path=error.path,
                                extensions={**(error.extensions or {}), "code": "BAD_USER_INPUT"})
        log.error("unexpected error (request %s)", request_id, exc_info=original)
        return GraphQLError(f"Internal server error. Request id: {request_id}", nodes=error.nodes,
                            path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR",
                                                         "requestId": request_id})


_parse = lru_cache(maxsize=256)(parse)


class ParsedOnce(SchemaExtension):
    """A portal sends the same few query texts over and over: their parsed documents are reused
    (graphql-core never changes one). A text that fails to parse (syntax, the token limit) is left
    to Strawberry's own parse, which reports it as usual."""

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.query is not None and ec.graphql_document is None:
            try:
                ec.graphql_document = _parse(ec.query, **ec.parse_options)
            except GraphQLError:
                pass
        yield
