"""Prometheus metrics at /metrics.

Every label has a bounded set of values: HTTP routes are the app's own paths (anything else is
"other"), GraphQL operations are labelled by operation type and root field name (names the schema
defines, never a client's operation name, alias, query text or id), carrier calls by carrier and
API collection. Gauges that describe the database (providers by health, pool use) are read when
scraped.
"""

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
from graphql import FieldNode, OperationDefinitionNode
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension
from tortoise import Tortoise
from tortoise.functions import Count

from models.enums import HealthStatus
from models.provider import Provider

ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})

HTTP_REQUESTS = Counter(
    "trunkql_http_requests_total", "HTTP requests served.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "trunkql_http_request_duration_seconds", "Time to serve an HTTP request.", ["route"]
)
GRAPHQL_OPERATIONS = Counter(
    "trunkql_graphql_operations_total",
    "GraphQL root fields executed, by outcome (ok, or error when the response had errors).",
    ["operation_type", "field", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "trunkql_graphql_execution_duration_seconds",
    "Time to execute a GraphQL operation (after parsing and validation).",
    ["operation_type"],
)
CARRIER_REQUESTS = Counter(
    "trunkql_carrier_requests_total",
    "HTTP calls to carrier APIs, by outcome (HTTP status class, or error: no answer).",
    ["carrier", "method", "collection", "outcome"],
)
CARRIER_LATENCY = Histogram(
    "trunkql_carrier_request_duration_seconds",
    "Time of one HTTP call to a carrier API.",
    ["carrier", "collection"],
)
PROVIDERS = Gauge("trunkql_providers", "Live providers by health status.", ["health_status"])
DB_POOL = Gauge("trunkql_db_pool_connections", "Database pool connections.", ["state"])


def http_route(path: str) -> str:
    return path if path in ROUTES else "other"


def observe_http(method: str, path: str, status: int, seconds: float) -> None:
    route = http_route(path)
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(route).observe(seconds)


class OperationMetrics(SchemaExtension):
    """Counts and times executed operations. An ``on_execute`` hook: no per-field cost."""

    def on_execute(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        operation_type = context.operation_type.value
        GRAPHQL_LATENCY.labels(operation_type).observe(time.perf_counter() - started)
        result = context.result
        outcome = "error" if result is not None and result.errors else "ok"
        for field in _root_fields(context.graphql_document, context.operation_name):
            GRAPHQL_OPERATIONS.labels(operation_type, field, outcome).inc()


def _root_fields(document: Any, operation_name: str | None) -> list[str]:
    """The executed operation's root field names (validated, so the schema's own names)."""
    for definition in getattr(document, "definitions", ()):
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            return [
                selection.name.value
                for selection in definition.selection_set.selections
                if isinstance(selection, FieldNode)
            ]
    return []


def carrier_tracing(carriers_by_prefix: dict[str, str]) -> aiohttp.TraceConfig:
    """Observes every call on the carrier HTTP session; ``carriers_by_prefix`` maps each carrier's
    configured base URL to its name (calls elsewhere are labelled "other")."""
    trace = aiohttp.TraceConfig()

    def labels(url: str) -> tuple[str, str]:
        for prefix, carrier in carriers_by_prefix.items():
            if url.startswith(prefix):
                rest = url[len(prefix) :].lstrip("/")
                return carrier, rest.split("/", 1)[0].split("?", 1)[0] or "root"
        return "other", "other"

    async def on_start(_s: object, ctx: SimpleNamespace, params: Any) -> None:
        ctx.started = time.perf_counter()

    async def on_end(_s: object, ctx: SimpleNamespace, params: Any) -> None:
        carrier, collection = labels(str(params.url))
        outcome = f"{params.response.status // 100}xx"
        CARRIER_REQUESTS.labels(carrier, params.method, collection, outcome).inc()
        CARRIER_LATENCY.labels(carrier, collection).observe(time.perf_counter() - ctx.started)

    async def on_error(_s: object, ctx: SimpleNamespace, params: Any) -> None:
        carrier, collection = labels(str(params.url))
        CARRIER_REQUESTS.labels(carrier, params.method, collection, "error").inc()

    trace.on_request_start.append(on_start)
    trace.on_request_end.append(on_end)
    trace.on_request_exception.append(on_error)
    return trace


async def _refresh_database_gauges() -> None:
    counts = {status.value: 0 for status in HealthStatus}
    rows = (
        await Provider.filter(tm_delete__isnull=True)
        .annotate(count=Count("id"))
        .group_by("health_status")
        .values("health_status", "count")
    )
    for row in rows:
        counts[str(row["health_status"])] = int(row["count"])
    for status in HealthStatus:
        PROVIDERS.labels(status.name).set(counts[status.value])
    pool = getattr(Tortoise.get_connection("default"), "_pool", None)
    if pool is not None and hasattr(pool, "get_size"):
        size, idle = pool.get_size(), pool.get_idle_size()
        DB_POOL.labels("idle").set(idle)
        DB_POOL.labels("in_use").set(size - idle)


async def metrics_endpoint(request: Request) -> Response:
    await _refresh_database_gauges()
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
