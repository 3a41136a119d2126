"""The raw baseline: a minimal Starlette app serving the same data as trunkql's GraphQL, through the
same service calls (so the same Tortoise queries), serialised by hand into the same JSON.

What it keeps from the product: the bearer-token check (the same ``TokenVerifier``), the ORM
configuration, the service functions and their queries, uvicorn with one worker. What it leaves
out is the GraphQL layer itself (parsing, validation, execution, Strawberry types, extensions and
permissions) and the product's middleware (request id, access log, body limit, audit trail): that
difference is what every ratio in BENCHMARKS.md measures.

    python -m bench.baseline --port P      (settings from the same TRUNKQL_* environment)
"""

import argparse
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise

from bench.sql_count import add_sql_endpoint
from models.config import tortoise_config
from models.provider import Provider
from models.route import Route as RouteModel
from server.auth import AuthenticationError, TokenVerifier, bearer_token, token_verifier
from server.secrets import load_keys
from server.settings import Settings
from services import dial_plan as dial_plan_service
from services import providers as provider_service
from services import routes as route_service
from services.errors import ServiceError
from services.masking import visible_tech_headers
from services.principals import Principal


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def provider_json(row: Provider, viewer: Principal) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "detail": row.detail,
        "type": row.type.name,
        "hostname": row.hostname,
        "techPrefix": row.tech_prefix,
        "techPostfix": row.tech_postfix,
        "techHeaders": visible_tech_headers(row.tech_headers, viewer),
        "codecs": row.codecs,
        "metadata": row.metadata,
        "healthStatus": row.health_status.name,
        "healthCheckedAt": _time(row.health_checked_at),
        "healthLatencyMs": row.health_latency_ms,
        "healthLastError": row.health_last_error,
        "tmCreate": _time(row.tm_create),
        "tmUpdate": _time(row.tm_update),
        "tmDelete": _time(row.tm_delete),
    }


def route_json(row: RouteModel) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "customerId": str(row.customer_id),
        "name": row.name,
        "detail": row.detail,
        "providerId": str(row.provider_id),
        "priority": row.priority,
        "weight": row.weight,
        "target": row.target,
        "tmCreate": _time(row.tm_create),
        "tmUpdate": _time(row.tm_update),
        "tmDelete": _time(row.tm_delete),
    }


def _data(field: str, value: object) -> JSONResponse:
    return JSONResponse({"data": {field: value}})


def _error(exc: ServiceError | AuthenticationError, status: int = 400) -> JSONResponse:
    return JSONResponse({"errors": [{"message": str(exc)}]}, status_code=status)


class Baseline:
    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    def principal(self, request: Request) -> Principal:
        return self.verifier.verify(bearer_token(request.headers.get("authorization")))

    async def provider(self, request: Request) -> Response:
        try:
            viewer = self.principal(request)
            row = await provider_service.get_provider(request.path_params["id"])
        except (ServiceError, AuthenticationError) as exc:
            return _error(exc)
        return _data("provider", provider_json(row, viewer) if row else None)

    async def providers(self, request: Request) -> Response:
        try:
            viewer = self.principal(request)
            page = await provider_service.list_providers(
                provider_service.ProviderFilter(),
                int(request.query_params.get("first", "50")),
                request.query_params.get("after"),
            )
        except (ServiceError, AuthenticationError) as exc:
            return _error(exc)
        return _data(
            "providers",
            {
                "edges": [
                    {"cursor": cursor, "node": provider_json(row, viewer)}
                    for cursor, row in page.items
                ],
                "pageInfo": {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor},
            },
        )

    async def routes(self, request: Request) -> Response:
        """A page of routes and their providers: one query for the page, one for the providers
        (what trunkql's DataLoader batches into)."""
        try:
            viewer = self.principal(request)
            page = await route_service.list_routes(
                route_service.RouteFilter(), int(request.query_params.get("first", "50")), None
            )
        except (ServiceError, AuthenticationError) as exc:
            return _error(exc)
        providers = await provider_service.providers_by_id(
            {row.provider_id for _, row in page.items}
        )
        edges = []
        for cursor, row in page.items:
            node = route_json(row)
            node["provider"] = provider_json(providers[row.provider_id], viewer)
            edges.append({"cursor": cursor, "node": node})
        page_info = {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor}
        return _data("routes", {"edges": edges, "pageInfo": page_info})

    async def dial_plan(self, request: Request) -> Response:
        query = request.query_params
        try:
            viewer = self.principal(request)
            plan = await dial_plan_service.dial_plan(
                query.get("destination"),
                query.get("customer_id"),
                viewer,
                int(query["seed"]) if "seed" in query else None,
            )
        except (ServiceError, AuthenticationError) as exc:
            return _error(exc)
        attempts = [
            {
                "position": position,
                "route": {
                    "id": str(a.route.id),
                    "name": a.route.name,
                    "target": a.route.target,
                    "priority": a.route.priority,
                    "weight": a.route.weight,
                },
                "provider": {
                    "id": str(a.provider.id),
                    "name": a.provider.name,
                    "hostname": a.provider.hostname,
                },
                "dialedNumber": a.dialed_number,
                "sipUri": a.sip_uri,
                "headers": a.headers,
                "codecs": None if a.codecs is None else list(a.codecs),
                "healthStatus": a.provider.health_status.name,
                "demoted": a.demoted,
            }
            for position, a in enumerate(plan.attempts, start=1)
        ]
        return _data(
            "dialPlan",
            {"number": plan.number, "customerId": str(plan.customer_id), "attempts": attempts},
        )

    async def create_provider(self, request: Request) -> Response:
        """The same validation and insert as createProvider (``services.providers``)."""
        try:
            viewer = self.principal(request)
            values = json.loads(await request.body())
            row = await provider_service.create_provider(values)
        except (ServiceError, AuthenticationError) as exc:
            return _error(exc)
        return _data("createProvider", {"provider": provider_json(row, viewer), "userErrors": []})


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings) -> Starlette:
    raw = Baseline(token_verifier(settings, load_keys(settings)))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            yield

    app = Starlette(
        routes=[
            Route("/raw/provider/{id}", raw.provider),
            Route("/raw/providers", raw.providers),
            Route("/raw/providers", raw.create_provider, methods=["POST"]),
            Route("/raw/routes", raw.routes),
            Route("/raw/dial-plan", raw.dial_plan),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
    return add_sql_endpoint(app)


def create_app_from_env() -> Starlette:
    return create_app(Settings.from_env())


def main() -> None:
    parser = argparse.ArgumentParser(description="trunkql's raw benchmark baseline")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # As trunkql serve runs uvicorn: one worker, no uvicorn access log.
    uvicorn.run(
        "bench.baseline:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
