"""The health-sweep benchmark: ``HealthMonitor.sweep()`` over every provider of a database.

    python -m bench.health_sweep --database-url URL [--sweeps 3]   (prints one JSON object)

Its own process, like the server that would run the monitor: the same prober, settings (the
defaults: 200 probes in flight, 5 s timeout) and events the health engine assembles: in-process on
SQLite, and PostgreSQL's NOTIFY for transitions there. Each sweep is timed from its first query to
its last write; the process's peak RSS (VmHWM) is reported as well.
"""

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from bench.procinfo import peak_rss_mib
from bench.seed import close_orm, open_orm
from services.health import HealthMonitor, HealthSettings, SipOptionsProber
from services.health.events import HealthEvents, InProcessHealthEvents, PostgresHealthEvents
from services.health.postgres import is_postgres_url


async def sweep(database_url: str, sweeps: int) -> dict[str, Any]:
    await open_orm(database_url)
    settings = HealthSettings(enabled=False)
    # As the health engine chooses: transitions are NOTIFYed on PostgreSQL.
    events: HealthEvents = (
        PostgresHealthEvents(database_url)
        if is_postgres_url(database_url)
        else InProcessHealthEvents()
    )
    await events.start()
    results = []
    try:
        async with SipOptionsProber(timeout=settings.timeout) as prober:
            monitor = HealthMonitor(prober, settings, events)
            for _ in range(sweeps):
                started = time.perf_counter()
                report = await monitor.sweep()
                results.append(
                    {
                        "seconds": time.perf_counter() - started,
                        "probed": report.probed,
                        "reachable": report.reachable,
                        "transitions": report.transitions,
                        "errors": report.errors,
                    }
                )
    finally:
        await events.aclose()
        await close_orm()
    return {
        "sweeps": results,
        "concurrency": settings.concurrency,
        "peak_rss_mib": peak_rss_mib(None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="time HealthMonitor.sweep()")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sweeps", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(sweep(args.database_url, args.sweeps))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
