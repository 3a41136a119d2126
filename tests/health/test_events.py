"""Transition events: in-process fan-out, and PostgreSQL LISTEN/NOTIFY between instances that
stand for separate ``trunkql serve`` processes (each has its own database connection)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from models.enums import HealthStatus
from services.health.events import (
    InProcessHealthEvents,
    PostgresHealthEvents,
    Subscription,
    Transition,
)
from services.health.postgres import asyncpg_dsn
from tests.health.conftest import next_of, postgres_only, wait_until


def transition(provider_id: str = "p-1", new: HealthStatus = HealthStatus.UNHEALTHY) -> Transition:
    return Transition(
        provider_id=provider_id,
        old_status=HealthStatus.HEALTHY,
        new_status=new,
        checked_at=datetime(2025, 5, 1, 12, 30, 15, 123456, tzinfo=UTC),
        latency_ms=12.5,
        error="ICMP port unreachable",
    )


def test_a_transition_survives_json() -> None:
    original = transition()

    assert Transition.from_json(original.to_json()) == original


# --- in process ---------------------------------------------------------------------------------


async def test_subscribers_get_their_providers_transitions() -> None:
    events = InProcessHealthEvents()
    one = events.subscribe("p-1")
    everything = events.subscribe()

    await events.publish(transition("p-2"))
    await events.publish(transition("p-1"))

    assert (await next_of(one)).provider_id == "p-1"
    assert [(await next_of(everything)).provider_id for _ in range(2)] == ["p-2", "p-1"]
    await events.aclose()


async def test_a_slow_subscriber_loses_the_oldest_and_blocks_nobody() -> None:
    events = InProcessHealthEvents(max_queued=3)
    slow = events.subscribe()
    statuses = [HealthStatus.HEALTHY, HealthStatus.UNHEALTHY] * 3

    for index, status in enumerate(statuses):  # publish returns at once every time
        await events.publish(transition(f"p-{index}", status))

    assert slow.dropped == 3
    assert [(await next_of(slow)).provider_id for _ in range(3)] == ["p-3", "p-4", "p-5"]
    await events.aclose()


async def test_closing_ends_the_subscription() -> None:
    events = InProcessHealthEvents()
    received: list[Transition] = []

    async def consume(subscription: Subscription) -> None:
        async with subscription:
            async for change in subscription:
                received.append(change)

    consumer = asyncio.create_task(consume(events.subscribe()))
    await events.publish(transition())
    await wait_until(lambda: len(received) == 1, "delivery")
    await events.aclose()
    async with asyncio.timeout(10):
        await consumer

    assert received == [transition()]


async def test_an_unsubscribed_subscriber_receives_nothing_more() -> None:
    events = InProcessHealthEvents()
    subscription = events.subscribe()
    subscription.close()

    await events.publish(transition())

    assert [t async for t in subscription] == []


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def channel() -> str:
    # Its own channel per test: other instances on the database (the app's) stay out of it.
    return f"trunkql_health_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    yield connection
    await connection.close()


@pytest.fixture
async def process_a(database_url: str, channel: str) -> AsyncIterator[PostgresHealthEvents]:
    events = PostgresHealthEvents(database_url, channel=channel, reconnect_delay=0.05)
    await events.start()
    yield events
    await events.aclose()


@pytest.fixture
async def process_b(database_url: str, channel: str) -> AsyncIterator[PostgresHealthEvents]:
    events = PostgresHealthEvents(database_url, channel=channel, reconnect_delay=0.05)
    await events.start()
    yield events
    await events.aclose()


@postgres_only
async def test_a_transition_reaches_subscribers_in_every_process(
    process_a: PostgresHealthEvents, process_b: PostgresHealthEvents
) -> None:
    assert process_a.backend_pid != process_b.backend_pid  # separate sessions
    on_b = process_b.subscribe("p-1")
    on_a = process_a.subscribe()

    await process_a.publish(transition("p-1"))

    assert await next_of(on_b) == transition("p-1")
    assert await next_of(on_a) == transition("p-1")  # the publisher's own subscribers too


@postgres_only
async def test_a_malformed_notification_is_ignored(
    process_a: PostgresHealthEvents,
    process_b: PostgresHealthEvents,
    admin: asyncpg.Connection,
    channel: str,
) -> None:
    on_b = process_b.subscribe()
    for junk in ("not json", "[1, 2]", '{"provider_id": "p-9"}', transition().to_json()[:-5]):
        await admin.execute("SELECT pg_notify($1, $2)", channel, junk)

    await process_a.publish(transition("p-2"))

    assert (await next_of(on_b)).provider_id == "p-2"


@postgres_only
async def test_a_lost_listen_connection_is_re_established(
    process_a: PostgresHealthEvents, process_b: PostgresHealthEvents, admin: asyncpg.Connection
) -> None:
    on_b = process_b.subscribe()
    lost = process_b.backend_pid

    await admin.execute("SELECT pg_terminate_backend($1)", lost)
    await wait_until(lambda: process_b.backend_pid not in (None, lost), "a new LISTEN session")
    await process_a.publish(transition("after"))

    assert (await next_of(on_b)).provider_id == "after"


@postgres_only
async def test_while_disconnected_this_process_still_hears_its_own_transitions(
    database_url: str, channel: str, admin: asyncpg.Connection
) -> None:
    events = PostgresHealthEvents(database_url, channel=channel, reconnect_delay=3600)
    await events.start()
    try:
        local = events.subscribe()
        await admin.execute("SELECT pg_terminate_backend($1)", events.backend_pid)
        await wait_until(lambda: events.backend_pid is None, "the loss to be noticed")

        await events.publish(transition("local"))

        assert (await next_of(local)).provider_id == "local"
    finally:
        await events.aclose()
