"""The health engine assembled for an app: a prober, events, leadership and the monitor's loop,
chosen by the database (PostgreSQL: shared events and a leader lock; SQLite: in-process).

Enter it inside the ORM's lifetime (the monitor reads and writes providers)::

    async with health_engine(settings.database_url, health_settings) as health:
        app.state.health = health          # health.monitor.check(id), health.events.subscribe(id)
        yield
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from services.health.events import (
    DEFAULT_CHANNEL,
    HealthEvents,
    InProcessHealthEvents,
    PostgresHealthEvents,
)
from services.health.leader import (
    DEFAULT_LEADER_KEY,
    AlwaysLeader,
    Leadership,
    PostgresLeadership,
)
from services.health.monitor import HealthMonitor
from services.health.postgres import is_postgres_url
from services.health.settings import HealthSettings
from services.health.sip_options import SipOptionsProber


@dataclass(frozen=True)
class HealthEngine:
    monitor: HealthMonitor
    events: HealthEvents


@asynccontextmanager
async def health_engine(
    database_url: str,
    settings: HealthSettings,
    *,
    channel: str = DEFAULT_CHANNEL,
    leader_key: int = DEFAULT_LEADER_KEY,
) -> AsyncIterator[HealthEngine]:
    """Start everything; on exit stop the loop (stepping down as leader) and close it all.
    With ``settings.enabled`` false there is no background loop, but on-demand checks and
    subscriptions still work."""
    events: HealthEvents
    leader: Leadership
    if is_postgres_url(database_url):
        events = PostgresHealthEvents(database_url, channel=channel)
        leader = PostgresLeadership(database_url, key=leader_key)
    else:
        events = InProcessHealthEvents()
        leader = AlwaysLeader()
    prober = SipOptionsProber(
        timeout=settings.timeout, reachable_2xx_only=settings.reachable_2xx_only
    )
    await events.start()
    try:
        async with prober:
            monitor = HealthMonitor(prober, settings, events, leader=leader)
            loop_task = (
                asyncio.create_task(monitor.run(), name="trunkql-health-monitor")
                if settings.enabled
                else None
            )
            try:
                yield HealthEngine(monitor=monitor, events=events)
            finally:
                if loop_task is not None:
                    loop_task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await loop_task
                await leader.aclose()
    finally:
        await events.aclose()
