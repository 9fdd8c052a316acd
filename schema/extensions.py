"""Every top-level error carries extensions.code; unexpected ones are masked with a request id.
Query texts are parsed once."""
import logging
from collections.abc import Iterator
from functools import lru_cache

from graphql import GraphQLError, parse
from strawberry.extensions import SchemaExtension

log = logging.getLogger("portalql.errors")


class ErrorCodes(SchemaExtension):
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
        if code and (original is None or isinstance(original, GraphQLError)):
            return error
        if original is None or isinstance(original, GraphQLError):
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
