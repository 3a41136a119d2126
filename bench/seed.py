"""Fast bulk seeding of a benchmark database, straight through the ORM (never through GraphQL).

Rows are built in memory and written with ``bulk_create`` in large batches (one multi-row statement
per batch on SQLite, a pipelined ``executemany`` on PostgreSQL), so 100,000 providers take seconds.
Everything is deterministic (a seeded RNG, timestamps 1 ms apart), so the newest-first order, the
cursor of the last page and the dial plan are the same in every run.

Hostnames are loopback addresses: should a health monitor ever sweep a benchmark database, its
probes stay on this machine.
"""

import argparse
import asyncio
import json
import random
import sys
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.config import tortoise_config
from models.enums import HealthStatus, ProviderType
from models.provider import Provider
from models.route import Route
from services.pagination import Cursor
from services.routes import PLATFORM_CUSTOMER_ID

BATCH = 2_000
# Every timestamp is this far back or more: rows created by the server during a run are newer.
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

# The customer and number of the dialPlan scenarios.
DIAL_CUSTOMER = uuid.UUID("7d5e8f3a-1b2c-4d5e-8f9a-0b1c2d3e4f50")
DIAL_DESTINATION = "+15551234567"

_HEALTH = (HealthStatus.HEALTHY, HealthStatus.HEALTHY, HealthStatus.UNKNOWN, HealthStatus.UNHEALTHY)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


async def open_orm(database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(database_url))


async def close_orm() -> None:
    await Tortoise.close_connections()


async def analyze(database_url: str) -> None:
    """PostgreSQL: refresh the planner's statistics after a bulk load, as autovacuum would within
    a minute or so (otherwise a run's plans would depend on whether it had yet). SQLite gathers no
    statistics unless told to, and trunkql never tells it, so SQLite is left as it is."""
    if database_url.startswith(("postgres://", "postgresql://")):
        await Tortoise.get_connection("default").execute_script("ANALYZE")


def _provider(index: int, rng: random.Random, hostname: str | None = None) -> Provider:
    created = _EPOCH - index * _MS
    health = _HEALTH[index % len(_HEALTH)]
    checked = health != HealthStatus.UNKNOWN
    return Provider(
        id=_uuid(rng),
        name=f"Carrier {index:06d}",
        detail=f"Benchmark carrier {index}: outbound PSTN, EU and US, failover group {index % 7}",
        type=ProviderType.SIP,
        hostname=hostname or f"127.0.0.1:{20000 + index % 10000}",
        tech_prefix="00" if index % 3 == 0 else "",
        tech_postfix="@carrier.example" if index % 5 == 0 else "",
        tech_headers={"X-Account": f"acct-{index}", "X-Region": "eu-west"},
        codecs="PCMU,PCMA,G729",
        metadata={"tier": "gold", "contract": f"C-{index:06d}", "limits": {"cps": 10, "ch": 200}},
        health_status=health,
        health_checked_at=created if checked else None,
        health_latency_ms=12.5 + index % 40 if checked else None,
        health_last_error="timeout" if health == HealthStatus.UNHEALTHY else None,
        tm_create=created,
        tm_update=created,
    )


def _batches(count: int) -> Iterator[range]:
    for start in range(0, count, BATCH):
        yield range(start, min(start + BATCH, count))


def provider_ids(count: int, seed: int = 1) -> list[uuid.UUID]:
    """The ids ``seed_providers(count, seed)`` gives its rows, newest first, without a database."""
    rng = random.Random(seed)
    return [_uuid(rng) for _ in range(count)]


async def seed_providers(count: int, seed: int = 1) -> list[uuid.UUID]:
    """``count`` live providers, the i-th created i ms before the 0-th; their ids, newest first."""
    rng = random.Random(seed)
    ids: list[uuid.UUID] = []
    for batch in _batches(count):
        rows = [_provider(i, rng) for i in batch]
        async with in_transaction():
            await Provider.bulk_create(rows, batch_size=BATCH)
        ids += [row.id for row in rows]
    return ids


async def seed_sweep_providers(hostnames: Sequence[str], seed: int = 2) -> None:
    """One provider per hostname (the health sweep's peers)."""
    rng = random.Random(seed)
    for batch in _batches(len(hostnames)):
        rows = [_provider(i, rng, hostname=hostnames[i]) for i in batch]
        for row in rows:  # a sweep starts from nothing known
            row.health_status = HealthStatus.UNKNOWN
            row.health_checked_at = row.health_latency_ms = row.health_last_error = None
        async with in_transaction():
            await Provider.bulk_create(rows, batch_size=BATCH)


def last_page_cursor(count: int, seed: int = 1) -> str:
    """The ``after`` cursor of the last full page of 100 of ``seed_providers(count, seed)``: the
    cursor of the row just before it, newest first (row ``count - 101``)."""
    rng = random.Random(seed)
    row = None
    for index in range(count - 100):
        row = _provider(index, rng)
    assert row is not None, "needs more than 100 providers"
    return Cursor(tm_create=row.tm_create, id=row.id).encode()


def _route(
    index: int,
    rng: random.Random,
    *,
    customer: uuid.UUID,
    provider: uuid.UUID,
    target: str,
    priority: int = 10,
    weight: int = 10,
    newest: datetime = _EPOCH,
) -> Route:
    created = newest - index * _MS
    return Route(
        id=_uuid(rng),
        customer_id=customer,
        name=f"Route {index:06d} {target}",
        detail="benchmark route",
        provider_id=provider,
        priority=priority,
        weight=weight,
        target=target,
        tm_create=created,
        tm_update=created,
    )


# (customer, target, priority, weight) of the routes that match DIAL_DESTINATION for DIAL_CUSTOMER.
_MATCHING: tuple[tuple[uuid.UUID, str, int, int], ...] = (
    (DIAL_CUSTOMER, "+1555", 10, 10),
    (DIAL_CUSTOMER, "+1", 10, 60),
    (DIAL_CUSTOMER, "+1", 10, 40),
    (DIAL_CUSTOMER, "+1", 20, 10),
    (DIAL_CUSTOMER, "all", 10, 10),
    (DIAL_CUSTOMER, "all", 20, 10),
    (PLATFORM_CUSTOMER_ID, "+1", 10, 10),
    (PLATFORM_CUSTOMER_ID, "all", 10, 50),
    (PLATFORM_CUSTOMER_ID, "all", 10, 50),
)
DIAL_ATTEMPTS = len(_MATCHING)  # each matching route has its own provider


def _random_target(rng: random.Random, avoid_destination: bool) -> str:
    while True:
        if rng.random() < 0.1:
            target = "all"
        else:
            target = "+" + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 4)))
        if not avoid_destination or not (target == "all" or DIAL_DESTINATION.startswith(target)):
            return target


async def seed_dial_plan_routes(provider_ids: Sequence[uuid.UUID], total: int = 100) -> int:
    """The dialPlan scenario's routes (each with its own provider), plus routes of other
    customers up to ``total``. Returns how many routes were written."""
    rng = random.Random(3)
    rows = [
        _route(i, rng, customer=c, provider=provider_ids[i], target=t, priority=p, weight=w)
        for i, (c, t, p, w) in enumerate(_MATCHING)
    ]
    others = [_uuid(rng) for _ in range(10)]
    for i in range(len(rows), total):
        rows.append(
            _route(
                i,
                rng,
                customer=others[i % len(others)],
                provider=provider_ids[i % len(provider_ids)],
                target=_random_target(rng, avoid_destination=False),
            )
        )
    async with in_transaction():
        await Route.bulk_create(rows, batch_size=BATCH)
    return len(rows)


async def seed_more_routes(provider_ids: Sequence[uuid.UUID], count: int) -> None:
    """``count`` more routes, newer than the dialPlan ones, each page of 100 spread over 100
    providers. Some belong to the dialPlan customer and to the platform, under targets the
    destination does not match (the dial plan must skip them by index, not by scanning); the rest
    belong to 1,000 other customers, under any target."""
    rng = random.Random(4)
    others = [_uuid(rng) for _ in range(1000)]
    newest = _EPOCH + timedelta(hours=1)
    for batch in _batches(count):
        rows = []
        for i in batch:
            bucket = i % 50
            if bucket == 0:
                customer, avoid = DIAL_CUSTOMER, True
            elif bucket == 1:
                customer, avoid = PLATFORM_CUSTOMER_ID, True
            else:
                customer, avoid = others[i % len(others)], False
            rows.append(
                _route(
                    i,
                    rng,
                    customer=customer,
                    provider=provider_ids[(i * 7919) % len(provider_ids)],
                    target=_random_target(rng, avoid_destination=avoid),
                    priority=rng.randint(0, 100),
                    weight=rng.randint(1, 100),
                    newest=newest,
                )
            )
        async with in_transaction():
            await Route.bulk_create(rows, batch_size=BATCH)


@dataclass(frozen=True)
class Counts:
    providers: int
    routes: int


async def counts() -> Counts:
    return Counts(providers=await Provider.all().count(), routes=await Route.all().count())


async def _command(args: argparse.Namespace, hostnames: list[str]) -> dict[str, int]:
    await open_orm(args.database_url)
    try:
        if args.what == "providers":
            ids = await seed_providers(args.count)
            await seed_dial_plan_routes(ids, total=100)
        elif args.what == "routes":
            await seed_more_routes(provider_ids(args.providers), args.count - 100)
        else:
            await seed_sweep_providers(hostnames)
        await analyze(args.database_url)
        found = await counts()
        return {"providers": found.providers, "routes": found.routes}
    finally:
        await close_orm()


def main() -> None:
    """Each seeding step in its own process: Tortoise keeps per-dialect state in its model
    classes, so one process must not open an SQLite and then a PostgreSQL database."""
    parser = argparse.ArgumentParser(description="seed a trunkql benchmark database")
    parser.add_argument("--database-url", required=True)
    commands = parser.add_subparsers(dest="what", required=True)
    providers = commands.add_parser("providers", help="providers and the dialPlan's 100 routes")
    providers.add_argument("--count", type=int, required=True)
    routes = commands.add_parser("routes", help="more routes, up to --count in all")
    routes.add_argument("--providers", type=int, required=True)
    routes.add_argument("--count", type=int, required=True)
    sweep = commands.add_parser("sweep", help="one provider per hostname in a JSON list")
    sweep.add_argument("--hostnames", required=True)
    args = parser.parse_args()
    hostnames = json.loads(Path(args.hostnames).read_text()) if args.what == "sweep" else []
    result = asyncio.run(_command(args, hostnames))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
