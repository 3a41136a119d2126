"""The scenarios: what each sends to trunkql, to the raw baseline, and what a correct answer is.

Requests are pre-built as raw HTTP/1.1 bytes (kept as latin-1 text so they travel in JSON to the
load generator). GraphQL requests use variables with one fixed document per scenario, as real
clients do, so the parser and validation caches see the same document every time.
"""

import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from bench.seed import DIAL_ATTEMPTS, DIAL_CUSTOMER, DIAL_DESTINATION

# trunkql and the raw baseline on the main database (100k providers, 100k routes); the same two
# on a copy taken before the routes were added (100 routes); the fake Telnyx.
Server = Literal["trunkql", "raw", "trunkql-100-routes", "raw-100-routes", "telnyx"]

PROVIDER_FIELDS = (
    "id name detail type hostname techPrefix techPostfix techHeaders codecs metadata "
    "healthStatus healthCheckedAt healthLatencyMs healthLastError tmCreate tmUpdate tmDelete"
)
ROUTE_FIELDS = (
    "id customerId name detail providerId priority weight target tmCreate tmUpdate tmDelete"
)
Q_PROVIDER = f"query Provider($id: ID!) {{ provider(id: $id) {{ {PROVIDER_FIELDS} }} }}"
Q_PROVIDERS = (
    "query Providers($first: Int!, $after: String) { providers(first: $first, after: $after) "
    f"{{ edges {{ cursor node {{ {PROVIDER_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
)
Q_ROUTES = (
    "query Routes($first: Int!) { routes(first: $first) { edges { cursor node "
    f"{{ {ROUTE_FIELDS} provider {{ {PROVIDER_FIELDS} }} }} }} "
    "pageInfo { hasNextPage endCursor } } }"
)
Q_DIAL_PLAN = (
    "query DialPlan($destination: String!, $customerId: ID!, $seed: Int) { "
    "dialPlan(destination: $destination, customerId: $customerId, seed: $seed) { number customerId "
    "attempts { position route { id name target priority weight } provider { id name hostname } "
    "dialedNumber sipUri headers codecs healthStatus demoted } } }"
)
M_CREATE_PROVIDER = (
    "mutation CreateProvider($input: CreateProviderInput!) { createProvider(input: $input) "
    f"{{ provider {{ {PROVIDER_FIELDS} }} userErrors {{ field code message }} }} }}"
)
M_SETUP_PROVIDER = (
    "mutation SetupProvider($input: SetupProviderInput!) { setupProvider(input: $input) "
    "{ provider { id name hostname techHeaders metadata tmCreate } "
    "userErrors { field code message } } }"
)
DIAL_SEED = 7
# GraphQL errors, and userErrors (whose entries carry a "code").
GRAPHQL_FORBID = ['"errors"', '"code"']


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


@dataclass(frozen=True)
class Context:
    """What scenarios need to build their requests."""

    trunkql: Endpoint
    raw: Endpoint
    telnyx: Endpoint | None
    token: str
    telnyx_key: str
    provider_ids: Sequence[uuid.UUID]
    last_page_cursor: str
    unique_ops: int  # how many single-use operations to prepare (setupProvider)


def http_request(
    method: str, where: Endpoint, path: str, token: str | None = None, body: object = None
) -> str:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {where.host}"]
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return "\r\n".join(lines) + "\r\n\r\n" + payload.decode("latin-1")


def graphql(ctx: Context, query: str, variables: dict[str, Any]) -> str:
    return http_request(
        "POST", ctx.trunkql, "/graphql", ctx.token, {"query": query, "variables": variables}
    )


def raw_get(ctx: Context, path: str, query: dict[str, object] | None = None) -> str:
    suffix = f"?{urlencode(query)}" if query else ""
    return http_request("GET", ctx.raw, path + suffix, ctx.token)


@dataclass
class Target:
    name: str
    server: Server
    ops: list[list[str]]
    timed: bool = True
    unique: bool = False
    forbid: list[str] = field(default_factory=lambda: list(GRAPHQL_FORBID))
    # A request for the pre-run sanity check (default: the first op's first request).
    probe: str | None = None

    def spec(self, where: Endpoint, pid: int | None) -> dict[str, Any]:
        return {
            "pid": pid,
            "name": self.name,
            "host": where.host,
            "port": where.port,
            "ops": self.ops,
            "timed": self.timed,
            "unique": self.unique,
            "sql_control": self.server != "telnyx",
            "forbid": self.forbid,
        }


Check = Callable[[dict[str, Any]], str | None]
"""A correct answer's ``data`` → None, or what is wrong with it."""


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    build: Callable[[Context], list[Target]]
    check: Check | None = None
    # The trunkql and raw answers to the probe must carry the same data.
    same_data: bool = True
    concurrency: int | None = None  # None: the run's concurrency


def _single(op: str) -> list[str]:
    return [op]


# --- reads -----------------------------------------------------------------------------------


def _provider_targets(ctx: Context) -> list[Target]:
    ids = [str(i) for i in ctx.provider_ids[:: max(1, len(ctx.provider_ids) // 1000)][:1000]]
    return [
        Target("trunkql", "trunkql", [_single(graphql(ctx, Q_PROVIDER, {"id": i})) for i in ids]),
        Target("raw", "raw", [_single(raw_get(ctx, f"/raw/provider/{i}")) for i in ids]),
    ]


def _check_provider(data: dict[str, Any]) -> str | None:
    provider = data.get("provider")
    return None if provider and provider.get("id") else f"no provider: {data}"


def _pages_targets(ctx: Context) -> list[Target]:
    after = ctx.last_page_cursor
    return [
        Target("trunkql", "trunkql", [_single(graphql(ctx, Q_PROVIDERS, {"first": 100}))]),
        Target("raw", "raw", [_single(raw_get(ctx, "/raw/providers", {"first": 100}))]),
        Target(
            "trunkql last page",
            "trunkql",
            [_single(graphql(ctx, Q_PROVIDERS, {"first": 100, "after": after}))],
        ),
        Target(
            "raw last page",
            "raw",
            [_single(raw_get(ctx, "/raw/providers", {"first": 100, "after": after}))],
        ),
    ]


def _check_page(data: dict[str, Any]) -> str | None:
    page = data.get("providers") or {}
    edges = page.get("edges") or []
    if len(edges) != 100:
        return f"expected 100 providers, got {len(edges)}"
    return None


def _routes_targets(ctx: Context) -> list[Target]:
    def page(first: int) -> list[list[str]]:
        return [_single(graphql(ctx, Q_ROUTES, {"first": first}))]

    return [
        Target("trunkql", "trunkql", page(100)),
        Target("raw", "raw", [_single(raw_get(ctx, "/raw/routes", {"first": 100}))]),
        # Counted only: the statements of a page must not grow with its size.
        Target("trunkql first: 1", "trunkql", page(1), timed=False),
        Target("trunkql first: 10", "trunkql", page(10), timed=False),
    ]


def _check_routes(data: dict[str, Any]) -> str | None:
    edges = (data.get("routes") or {}).get("edges") or []
    if len(edges) != 100:
        return f"expected 100 routes, got {len(edges)}"
    providers = {e["node"]["provider"]["id"] for e in edges if e["node"].get("provider")}
    if len(providers) != 100:
        return f"expected 100 distinct providers, got {len(providers)}"
    return None


def _dial_targets(ctx: Context) -> list[Target]:
    variables = {
        "destination": DIAL_DESTINATION,
        "customerId": str(DIAL_CUSTOMER),
        "seed": DIAL_SEED,
    }
    query = {"destination": DIAL_DESTINATION, "customer_id": str(DIAL_CUSTOMER), "seed": DIAL_SEED}
    trunkql = [_single(graphql(ctx, Q_DIAL_PLAN, variables))]
    raw = [_single(raw_get(ctx, "/raw/dial-plan", query))]
    return [
        Target("trunkql", "trunkql", trunkql),
        Target("raw", "raw", raw),
        Target("trunkql 100 routes", "trunkql-100-routes", trunkql),
        Target("raw 100 routes", "raw-100-routes", raw),
    ]


def _check_dial(data: dict[str, Any]) -> str | None:
    attempts = (data.get("dialPlan") or {}).get("attempts") or []
    if len(attempts) != DIAL_ATTEMPTS:
        return f"expected {DIAL_ATTEMPTS} attempts, got {len(attempts)}"
    return None


# --- writes ----------------------------------------------------------------------------------


def _provider_input(n: int) -> dict[str, Any]:
    return {
        "name": f"Bench Carrier {n}",
        "hostname": f"127.0.0.1:{30000 + n}",
        "techPrefix": "1",
        "techPostfix": "",
        "techHeaders": {"X-Account": f"bench-{n}"},
        "codecs": "pcmu, pcma",
        "metadata": {"source": "bench", "n": n},
    }


_SNAKE = {"techPrefix": "tech_prefix", "techPostfix": "tech_postfix", "techHeaders": "tech_headers"}


def _create_targets(ctx: Context) -> list[Target]:
    inputs = [_provider_input(n) for n in range(500)]
    return [
        Target(
            "trunkql",
            "trunkql",
            [_single(graphql(ctx, M_CREATE_PROVIDER, {"input": i})) for i in inputs],
        ),
        Target(
            "raw",
            "raw",
            [
                _single(
                    http_request(
                        "POST",
                        ctx.raw,
                        "/raw/providers",
                        ctx.token,
                        {_SNAKE.get(k, k): v for k, v in i.items()},
                    )
                )
                for i in inputs
            ],
        ),
    ]


def _check_create(data: dict[str, Any]) -> str | None:
    payload = data.get("createProvider") or {}
    if payload.get("userErrors") or not payload.get("provider"):
        return f"createProvider failed: {payload}"
    return None


def _setup_op(ctx: Context, run_id: str, n: int) -> list[str]:
    variables = {
        "input": {
            "carrier": "TELNYX",
            "name": f"Bench Trunk {n}",
            "apiKey": ctx.telnyx_key,
            "idempotencyKey": f"bench-{run_id}-{n}",
        }
    }
    return _single(graphql(ctx, M_SETUP_PROVIDER, variables))


def _carrier_op(ctx: Context, run_id: str, n: int) -> list[str]:
    """The three calls a setup makes, straight to the fake: validate the key, create the outbound
    voice profile, create the credential connection (unique names, as the adapter makes them)."""
    assert ctx.telnyx is not None
    name = f"bench-{run_id}-{n}"
    key = ctx.telnyx_key
    return [
        http_request("GET", ctx.telnyx, "/v2/balance", key),
        http_request("POST", ctx.telnyx, "/v2/outbound_voice_profiles", key, {"name": name}),
        http_request(
            "POST",
            ctx.telnyx,
            "/v2/credential_connections",
            key,
            {
                "connection_name": name,
                "active": True,
                "user_name": f"bench{run_id}{n}",
                "password": secrets.token_urlsafe(18),
                "outbound": {},
                "inbound": {"ani_number_format": "+E.164", "dnis_number_format": "+e164"},
            },
        ),
    ]


def _setup_targets(ctx: Context) -> list[Target]:
    run_id = secrets.token_hex(4)
    count = ctx.unique_ops
    return [
        Target(
            "trunkql",
            "trunkql",
            [_setup_op(ctx, run_id, n) for n in range(count)],
            unique=True,
            probe=_setup_op(ctx, run_id + "p", 0)[0],
        ),
        Target(
            "telnyx direct",
            "telnyx",
            [_carrier_op(ctx, run_id, n) for n in range(count)],
            unique=True,
            forbid=['"errors"'],
        ),
    ]


def _check_setup(data: dict[str, Any]) -> str | None:
    payload = data.get("setupProvider") or {}
    if payload.get("userErrors") or not payload.get("provider"):
        return f"setupProvider failed: {payload}"
    return None


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("provider", "provider(id), all fields", _provider_targets, _check_provider),
    Scenario(
        "providers",
        "providers(first: 100), all fields: first page and last page of 100k",
        _pages_targets,
        _check_page,
    ),
    Scenario(
        "routes",
        "routes(first: 100) { ... provider { all fields } }, 100k routes",
        _routes_targets,
        _check_routes,
    ),
    Scenario(
        "dialplan",
        "dialPlan with 100k routes in the table, and with 100",
        _dial_targets,
        _check_dial,
    ),
    Scenario("create", "createProvider", _create_targets, _check_create, same_data=False),
    Scenario(
        "setup",
        "setupProvider against the fake Telnyx",
        _setup_targets,
        _check_setup,
        same_data=False,
        concurrency=1,
    ),
)
SCENARIO_KEYS = (*(s.key for s in SCENARIOS), "sweep")
