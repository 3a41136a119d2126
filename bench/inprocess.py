"""The GraphQL layer alone: ``schema.execute`` against the raw baseline's hand serialisation, in one
process, with no HTTP, no middleware and no network, timed in CPU time and interleaved.

    python -m bench.inprocess [--database-url URL] [--requests 300] [--profile]

What the load-generated figures of ``bench.run`` cannot separate on a busy machine: how much of a
request's CPU the GraphQL execution itself adds (Strawberry and graphql-core: the extensions, the
per-field completion, argument conversion, JSON) on top of the same service call. Without
``--database-url`` it seeds a throw-away SQLite database (2,000 providers, 2,000 routes). With
``--profile`` it prints a pyinstrument profile of the GraphQL side of each case.
"""

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import strawberry

from bench import baseline, seed
from bench import scenarios as sc
from schema.context import Context
from schema.routes.loaders import build_loaders
from schema.schema import build_schema
from server.migrate import apply_migrations
from services import dial_plan as dial_plan_service
from services import providers as provider_service
from services import routes as route_service
from services.principals import Principal, Role

ADMIN = Principal(subject="admin", roles=frozenset({Role.PROJECT_SUPER_ADMIN}))


@dataclass(frozen=True)
class Case:
    name: str
    query: str
    variables: Callable[[int], dict[str, Any]]
    raw: Callable[[int], Awaitable[str]]


def _context() -> Context:
    """What resolvers read from ``info.context``; the rest (request, response, services these
    queries never touch) is None: nothing here goes over HTTP."""
    given: dict[str, object] = {
        "principal": ADMIN,
        "request_id": "bench",
        "loaders": build_loaders(),
    }
    values = {name: given.get(name) for name in Context.__dataclass_fields__}
    context: Context = cast(Any, Context)(**values)
    return context


def cases(ids: list[str]) -> list[Case]:
    async def provider(i: int) -> str:
        row = await provider_service.get_provider(ids[i % len(ids)])
        assert row is not None
        return json.dumps({"data": {"provider": baseline.provider_json(row, ADMIN)}})

    async def providers(i: int) -> str:
        page = await provider_service.list_providers(provider_service.ProviderFilter(), 100, None)
        edges = [{"cursor": c, "node": baseline.provider_json(r, ADMIN)} for c, r in page.items]
        info = {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor}
        return json.dumps({"data": {"providers": {"edges": edges, "pageInfo": info}}})

    async def routes(i: int) -> str:
        page = await route_service.list_routes(route_service.RouteFilter(), 100, None)
        found = await provider_service.providers_by_id({r.provider_id for _, r in page.items})
        edges = []
        for cursor, row in page.items:
            node = baseline.route_json(row)
            node["provider"] = baseline.provider_json(found[row.provider_id], ADMIN)
            edges.append({"cursor": cursor, "node": node})
        info = {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor}
        return json.dumps({"data": {"routes": {"edges": edges, "pageInfo": info}}})

    async def dial_plan(i: int) -> str:
        plan = await dial_plan_service.dial_plan(
            seed.DIAL_DESTINATION, seed.DIAL_CUSTOMER, ADMIN, sc.DIAL_SEED
        )
        return json.dumps({"number": plan.number, "attempts": len(plan.attempts)})

    dial_variables = {
        "destination": seed.DIAL_DESTINATION,
        "customerId": str(seed.DIAL_CUSTOMER),
        "seed": sc.DIAL_SEED,
    }
    return [
        Case("provider(id)", sc.Q_PROVIDER, lambda i: {"id": ids[i % len(ids)]}, provider),
        Case("providers(first: 100)", sc.Q_PROVIDERS, lambda i: {"first": 100}, providers),
        Case("routes(first: 100) { provider }", sc.Q_ROUTES, lambda i: {"first": 100}, routes),
        Case("dialPlan", sc.Q_DIAL_PLAN, lambda i: dial_variables, dial_plan),
    ]


async def measure(
    schema: strawberry.Schema, case: Case, requests: int, rounds: int
) -> tuple[float, float]:
    """CPU ms per request: (GraphQL, raw), interleaved in ``rounds``."""

    async def graphql(i: int) -> str:
        result = await schema.execute(
            case.query, variable_values=case.variables(i), context_value=_context()
        )
        if result.errors:
            raise RuntimeError(f"{case.name}: {result.errors}")
        return json.dumps({"data": result.data})

    for i in range(20):  # warm-up: caches, connections
        await graphql(i)
        await case.raw(i)
    spent = {"graphql": 0.0, "raw": 0.0}
    for _ in range(rounds):
        for name, call in (("graphql", graphql), ("raw", case.raw)):
            started = time.process_time()
            for i in range(requests):
                await call(i)
            spent[name] += time.process_time() - started
    per = requests * rounds
    return spent["graphql"] / per * 1000, spent["raw"] / per * 1000


async def profile(schema: strawberry.Schema, case: Case, requests: int) -> str:
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    for i in range(requests):
        await schema.execute(
            case.query, variable_values=case.variables(i), context_value=_context()
        )
    profiler.stop()
    text: str = profiler.output_text(unicode=False, color=False)
    return text


async def run(database_url: str | None, requests: int, rounds: int, show: bool) -> None:
    folder = None
    if database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="trunkql-inprocess-"))
        database_url = f"sqlite://{folder / 'bench.sqlite3'}"
        await apply_migrations(database_url)
        await seed.open_orm(database_url)
        seeded = await seed.seed_providers(2000)
        await seed.seed_dial_plan_routes(seeded, total=100)
        await seed.seed_more_routes(seeded, 1900)
    else:
        await seed.open_orm(database_url)
    try:
        rows = await provider_service.list_providers(provider_service.ProviderFilter(), 100, None)
        ids = [str(row.id) for _, row in rows.items]
        random.Random(1).shuffle(ids)
        schema = build_schema()
        print(f"{'case':<34} {'GraphQL ms':>11} {'raw ms':>8} {'ratio':>6} {'added ms':>9}")
        for case in cases(ids):
            graphql, raw = await measure(schema, case, requests, rounds)
            print(
                f"{case.name:<34} {graphql:11.3f} {raw:8.3f} {graphql / raw:5.2f}x "
                f"{graphql - raw:9.3f}"
            )
            if show:
                print(await profile(schema, case, requests))
    finally:
        await seed.close_orm()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="GraphQL execution vs hand serialisation")
    parser.add_argument("--database-url", help="a seeded benchmark database (default: seed one)")
    parser.add_argument("--requests", type=int, default=300, help="per case and round (300)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="pyinstrument each GraphQL case")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.requests, args.rounds, args.profile))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
