"""One sweeping process per database: the advisory-lock leadership, on its own and driving two
monitors that stand for two ``trunkql serve`` processes."""

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.health.events import InProcessHealthEvents
from services.health.leader import AlwaysLeader, PostgresLeadership
from services.health.monitor import HealthMonitor
from services.health.postgres import asyncpg_dsn
from services.health.settings import HealthSettings
from services.health.sip_options import ProbeResult, SipOptionsProber
from tests.health.conftest import TIMEOUT, add_providers, postgres_only, wait_until
from tests.health.sip_responder import SipResponder


@pytest.fixture
def key() -> int:
    # Its own lock per test: an app on the same database holds the default one.
    return random.randrange(1, 2**62)


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    yield connection
    await connection.close()


async def test_without_postgresql_the_only_process_leads() -> None:
    leader = AlwaysLeader()

    assert await leader.acquire()
    assert await leader.acquire()


@postgres_only
async def test_one_leader_at_a_time_and_a_successor_after_it_steps_down(
    database_url: str, key: int
) -> None:
    first = PostgresLeadership(database_url, key=key)
    second = PostgresLeadership(database_url, key=key)
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.acquire()  # still leading, every interval
        assert not await second.acquire()

        await first.aclose()

        assert await second.acquire()
        assert not await first.acquire()
    finally:
        await first.aclose()
        await second.aclose()


@postgres_only
async def test_a_leader_whose_session_dies_is_succeeded(
    database_url: str, key: int, admin: asyncpg.Connection
) -> None:
    first = PostgresLeadership(database_url, key=key)
    second = PostgresLeadership(database_url, key=key)
    try:
        assert await first.acquire()
        holder = await admin.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objid = $2 AND objsubid = 1",  # how a bigint key is shown
            key >> 32,
            key & 0xFFFFFFFF,
        )
        await admin.execute("SELECT pg_terminate_backend($1)", holder)  # the process "dies"

        async def second_leads() -> None:
            for _ in range(100):
                if await second.acquire():
                    return
                await asyncio.sleep(0.05)
            raise AssertionError("the second process never took over")

        await second_leads()
        assert not await first.acquire()  # it notices it lost, and does not lead
    finally:
        await first.aclose()
        await second.aclose()


class Counting:
    def __init__(self, inner: SipOptionsProber) -> None:
        self.inner = inner
        self.probes = 0

    async def probe(self, hostname: str) -> ProbeResult:
        self.probes += 1
        return await self.inner.probe(hostname)


@postgres_only
@pytest.mark.usefixtures("db")
async def test_two_processes_one_sweeper(
    database_url: str, key: int, responder: SipResponder, prober: SipOptionsProber
) -> None:
    await add_providers(responder.hostname)
    settings = HealthSettings(timeout=TIMEOUT, interval=0.05, jitter=0.2)
    probers = [Counting(prober), Counting(prober)]
    monitors = [
        HealthMonitor(
            counting,
            settings,
            InProcessHealthEvents(),
            leader=PostgresLeadership(database_url, key=key),
        )
        for counting in probers
    ]
    tasks = [asyncio.create_task(monitor.run()) for monitor in monitors]
    try:
        await wait_until(lambda: max(p.probes for p in probers) >= 5, "five sweeps")
        leading = 0 if probers[0].probes else 1
        assert probers[1 - leading].probes == 0  # the other never swept

        tasks[leading].cancel()  # that process stops: its lock goes with its session
        with contextlib.suppress(asyncio.CancelledError):
            await tasks[leading]
        await wait_until(lambda: probers[1 - leading].probes >= 1, "the other to take over")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
