"""OpenTelemetry tracing, only when PORTALQL_TRACING=1 or OTEL_EXPORTER_OTLP_ENDPOINT is set.
Nothing here is imported otherwise, so tracing costs nothing when off. Install the extra:
`pip install 'portalql[tracing]'`. The exporter reads the standard OTEL_* variables
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...)."""
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

_configured = False


def configure_provider() -> None:
    global _configured
    if _configured:
        return
    try:
        from opentelemetry import trace  # noqa: PLC0415
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415
        from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
        from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
        from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415
    except ImportError as e:
        raise SystemExit("tracing is on but OpenTelemetry is not installed: pip install 'portalql[tracing]'") from e
    provider = TracerProvider(resource=Resource.create({"service.name": "portalql"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured = True


def tracing_extensions() -> tuple[Any, ...]:
    """Strawberry's OpenTelemetry extension: a span per operation, parse, validate and resolver,
    without the query text or any resolver's arguments: either may carry a password written
    inline, a token or a code, and spans leave the process."""
    configure_provider()
    from strawberry.extensions.tracing import OpenTelemetryExtension  # noqa: PLC0415

    class WithoutSecrets(OpenTelemetryExtension):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(arg_filter=lambda args, info: {}, **kwargs)

        def on_operation(self) -> Iterator[None]:
            # Strawberry records the query text when it starts the operation's span: hide it then.
            context = self.execution_context
            query, context.query = context.query, None
            steps = super().on_operation()
            try:
                next(steps)
            finally:
                context.query = query
            yield
            with suppress(StopIteration):
                next(steps)
    return (WithoutSecrets,)
