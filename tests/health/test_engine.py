"""The engine as an app would start it, on the suite's database (SQLite or PostgreSQL)."""

import asyncio
import random
import uuid

import pytest

from models.enums import HealthStatus
from models.provider import Provider
from services.health.engine import health_engine
from services.health.postgres import asyncpg_dsn
from services.health.settings import HealthSettings
from tests.health.conftest import TIMEOUT, add_providers, next_of
from tests.health.sip_responder import SipResponder

pytestmark = pytest.mark.usefixtures("db")


def channel() -> str:
    """Its own channel (and lock, below), apart from an app running on the same database."""
    return f"trunkql_health_test_{uuid.uuid4().hex[:12]}"


def leader_key() -> int:
    return random.randrange(1, 2**62)


async def test_the_engine_sweeps_in_the_background_and_announces_transitions(
    database_url: str, responder: SipResponder
) -> None:
    [provider] = await add_providers(responder.hostname)
    settings = HealthSettings(timeout=TIMEOUT, interval=0.05, healthy_after=2)

    async with health_engine(
        database_url, settings, channel=channel(), leader_key=leader_key()
    ) as engine:
        change = await next_of(engine.events.subscribe(str(provider.id)))

    assert (change.old_status, change.new_status) == (HealthStatus.UNKNOWN, HealthStatus.HEALTHY)
    stored = await Provider.get(id=provider.id)
    assert stored.health_status == HealthStatus.HEALTHY
    assert len(responder.received) >= 2


async def test_a_disabled_engine_still_checks_on_demand(
    database_url: str, responder: SipResponder
) -> None:
    [provider] = await add_providers(responder.hostname)
    settings = HealthSettings(enabled=False, timeout=TIMEOUT, interval=0.01)

    async with health_engine(
        database_url, settings, channel=channel(), leader_key=leader_key()
    ) as engine:
        result = await engine.monitor.check(str(provider.id))
        await asyncio.sleep(0.2)  # many intervals: a loop would have swept meanwhile

    assert result.probe.status == 200
    assert len(responder.received) == 1


def test_tortoise_urls_become_asyncpg_dsns() -> None:
    assert (
        asyncpg_dsn("postgres://u:p@db:5433/trunkql?maxsize=20&sslmode=require&minsize=2")
        == "postgresql://u:p@db:5433/trunkql?sslmode=require"
    )
    with pytest.raises(ValueError, match="PostgreSQL"):
        asyncpg_dsn("sqlite://trunkql.sqlite3")
