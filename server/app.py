"""Assembles the ASGI application: routes, middleware, and the resources that live as long as it."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from carriers.registry import CarrierSettings, build_carriers
from models.config import tortoise_config
from schema.limits import SchemaLimits
from schema.schema import build_schema
from server.auth import (
    AuthenticationError,
    TokenVerifier,
    bearer_token,
    token_verifier,
    unauthenticated_response,
)
from server.background import running
from server.body_limit import BodySizeLimitMiddleware
from server.graphql_view import TrunkqlGraphQL
from server.heap import settle_heap
from server.logging_setup import configure_logging
from server.metrics import OperationMetrics, carrier_tracing, metrics_endpoint
from server.request_id import RequestIdMiddleware
from server.secrets import load_keys
from server.settings import Settings
from server.setup_recovery import recover_setups_forever
from services.health import health_engine
from services.secret_box import SecretBox
from services.setup import ProviderSetup

log = logging.getLogger("trunkql")

Endpoint = Callable[[Request], Awaitable[Response]]

READINESS_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers. Says nothing about the database (see /readyz)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: ready only while the database answers a trivial query in time."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log
        log.warning("readiness check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "up"})


def carrier_settings(settings: Settings) -> CarrierSettings:
    return CarrierSettings(
        telnyx_base_url=settings.telnyx_base_url,
        request_timeout=settings.carrier_request_timeout,
        max_attempts=settings.carrier_max_attempts,
        backoff_base=settings.carrier_backoff_base,
        backoff_max=settings.carrier_backoff_max,
    )


@asynccontextmanager
async def carrier_session(settings: Settings) -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP session for all carrier calls for the app's life (connection reuse). Each call
    sets its own timeout; this one is the backstop. Every call is counted and timed."""
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=300),
        connector=aiohttp.TCPConnector(limit=100),
        trust_env=False,
        trace_configs=[carrier_tracing({settings.telnyx_base_url: "telnyx"})],
    ) as session:
        yield session


def authenticated(endpoint: Endpoint, verifier: TokenVerifier) -> Endpoint:
    """``endpoint`` for holders of a valid token of any role (Prometheus can send one)."""

    async def guarded(request: Request) -> Response:
        try:
            verifier.verify(bearer_token(request.headers.get("authorization")))
        except AuthenticationError as exc:
            return unauthenticated_response(str(exc))
        return await endpoint(request)

    return guarded


def middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the request id tags everything, CORS answers preflights, and oversized
    bodies are refused before any parsing."""
    stack = [Middleware(RequestIdMiddleware)]
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
                max_age=600,
            )
        )
    stack.append(Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes))
    return stack


def create_app(settings: Settings) -> Starlette:
    # Tortoise logs every statement with its parameter values at DEBUG; those values include
    # custom SIP header values (carrier tokens); aiosqlite does the same. Never below INFO.
    for sql_logger in ("tortoise.db_client", "aiosqlite"):
        logging.getLogger(sql_logger).setLevel(logging.INFO)
    keys = load_keys(settings)
    limits = SchemaLimits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        cache_size=settings.query_cache_size,
        introspection=settings.expose_schema,
    )
    verifier = token_verifier(settings, keys)
    graphql = TrunkqlGraphQL(
        build_schema(limits, extra_extensions=[OperationMetrics], federation=settings.federation),
        verifier=verifier,
        graphql_ide="graphiql" if settings.expose_schema else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        allowed_origins=settings.cors_origins,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # RegisterTortoise makes the ORM context visible to every request task (Tortoise 1.x).
        async with (
            RegisterTortoise(app, config=tortoise_config(settings.database_url)),
            carrier_session(settings) as session,
        ):
            carriers = build_carriers(session, carrier_settings(settings))
            setup = ProviderSetup(carriers, SecretBox(keys.secret_key), settings.setup_deadline)
            app.state.provider_setup = setup
            recovery = recover_setups_forever(setup, settings.setup_recovery_after)
            async with (
                running(recovery, "setup-recovery"),
                health_engine(settings.database_url, settings.health) as health,
            ):
                app.state.health = health
                settle_heap()
                yield

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", authenticated(metrics_endpoint, verifier)),
        ],
        middleware=middleware(settings),
        lifespan=lifespan,
    )


def create_app_from_env() -> Starlette:
    """Factory for uvicorn (``--factory``), e.g. for running several workers: each worker process
    configures its own logging."""
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
