"""OpenTelemetry tracing, only when PORTALQL_TRACING=1 or OTEL_EXPORTER_OTLP_ENDPOINT is set.
Nothing here is imported otherwise, so tracing costs nothing when off. Install the extra:
`pip install 'portalql[tracing]'`. The exporter reads the standard OTEL_* variables
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...)."""
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
    """Strawberry's OpenTelemetry extension: a span per operation, parse, validate and resolver."""
    configure_provider()
    from strawberry.extensions.tracing import OpenTelemetryExtension  # noqa: PLC0415
    return (OpenTelemetryExtension,)
