"""The health monitor: probe providers, apply the health rule, store the result, announce
transitions.

Every result is stored with one compare-and-set UPDATE of the health columns: it applies only if
the row still has the hostname that was probed and the health state the rule started from. A
concurrent check (an on-demand check during a sweep, another process) makes it re-read and apply
the rule again, so no outcome is lost; a new hostname (a different peer, whose health was reset)
or a deletion makes the stale outcome be dropped.

A sweep stores its outcomes in batches, one transaction each: still one compare-and-set UPDATE
per provider, but one commit (one disk flush) per batch instead of per provider, which is what
keeps a sweep of thousands of providers a small part of the interval.
"""

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.enums import HealthStatus
from models.provider import Provider
from services.clock import utcnow
from services.errors import not_found
from services.health.events import HealthEvents, Transition
from services.health.hysteresis import HealthState, advance
from services.health.leader import AlwaysLeader, Leadership
from services.health.settings import HealthSettings
from services.health.sip_options import Prober, ProbeResult
from services.ids import parse_id
from services.transactions import despite_cancellation

log = logging.getLogger("trunkql.health")

# Outcomes per transaction in a sweep: few commits, yet short enough that other queries (on SQLite
# they queue behind it) wait only milliseconds.
_BATCH_SIZE = 100
# Compare-and-set attempts before an outcome is given up (only under relentless contention).
_MAX_STORE_ATTEMPTS = 5
# Only what probing and the rule need, not the whole row.
_COLUMNS = (
    "id",
    "hostname",
    "health_status",
    "health_failures",
    "health_successes",
    "health_latency_ms",
    "health_last_error",
)


@dataclass(frozen=True)
class _Snapshot:
    id: uuid.UUID
    hostname: str
    state: HealthState

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "_Snapshot":
        return cls(
            id=row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"])),
            hostname=row["hostname"],
            state=HealthState(
                status=HealthStatus(row["health_status"]),
                failures=row["health_failures"],
                successes=row["health_successes"],
                latency_ms=row["health_latency_ms"],
                last_error=row["health_last_error"],
            ),
        )


@dataclass(frozen=True)
class _Outcome:
    snapshot: _Snapshot
    result: ProbeResult


@dataclass(frozen=True)
class CheckResult:
    provider: Provider  # the row after the check
    probe: ProbeResult
    transition: Transition | None  # set when the status changed

    @property
    def changed(self) -> bool:
        return self.transition is not None


@dataclass
class SweepReport:
    """What one sweep did (counted as it goes)."""

    probed: int = 0
    reachable: int = 0
    transitions: int = 0
    errors: int = 0  # probes that raised, outcomes the database did not take


def next_delay(settings: HealthSettings, rng: random.Random) -> float:
    """Seconds from one sweep's start to the next: the interval, moved by up to ±jitter."""
    return settings.interval * (1 + rng.uniform(-settings.jitter, settings.jitter))


class HealthMonitor:
    def __init__(
        self,
        prober: Prober,
        settings: HealthSettings,
        events: HealthEvents,
        *,
        leader: Leadership | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.prober = prober
        self.settings = settings
        self.events = events
        self.leader: Leadership = leader or AlwaysLeader()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy

    async def check(self, provider_id: object) -> CheckResult:
        """Probe one live provider now; store and return the outcome. ``ServiceError``
        (INVALID_ARGUMENT, NOT_FOUND) for a bad id or a missing or deleted provider."""
        pid = parse_id(provider_id, "id")
        snapshot = await _read(pid)
        if snapshot is None:
            raise not_found(f"no provider with id {pid}", "id")
        result = await self.prober.probe(snapshot.hostname)
        transition = await self._store(snapshot, result)
        if transition is not None:
            await self._announce(transition)
        provider = await Provider.get_or_none(id=pid, tm_delete__isnull=True)
        if provider is None:
            raise not_found(f"provider {pid} was deleted during the check", "id")
        return CheckResult(provider=provider, probe=result, transition=transition)

    async def sweep(self) -> SweepReport:
        """Probe every live provider, at most ``concurrency`` at a time, and store the outcomes."""
        rows = await Provider.filter(tm_delete__isnull=True).values(*_COLUMNS)
        snapshots = iter([_Snapshot.from_row(row) for row in rows])
        # Bounded: if the database falls behind, probing waits for it instead of piling up.
        outcomes: asyncio.Queue[_Outcome | None] = asyncio.Queue(maxsize=_BATCH_SIZE)
        report = SweepReport()

        async def probe_worker() -> None:
            # Workers share one iterator: each takes the next provider when it is free, so at
            # most `concurrency` probes are in flight and none waits behind a slow one.
            for snapshot in snapshots:
                try:
                    result = await self.prober.probe(snapshot.hostname)
                except Exception:  # one provider's trouble spares the rest
                    log.exception("health probe of provider %s failed", snapshot.id)
                    report.errors += 1
                    continue
                await outcomes.put(_Outcome(snapshot, result))

        async with asyncio.TaskGroup() as group:
            group.create_task(self._write(outcomes, report))
            async with asyncio.TaskGroup() as probing:
                for _ in range(min(self.settings.concurrency, len(rows))):
                    probing.create_task(probe_worker())
            await outcomes.put(None)  # all probed: the writer finishes the last batch
        return report

    async def _write(self, outcomes: asyncio.Queue[_Outcome | None], report: SweepReport) -> None:
        """Store outcomes as they come, in batches of what is waiting (up to ``_BATCH_SIZE``)."""
        finished = False
        while not finished:
            batch: list[_Outcome] = []
            item = await outcomes.get()
            while item is not None:
                batch.append(item)
                if len(batch) == _BATCH_SIZE or outcomes.empty():
                    break
                item = outcomes.get_nowait()
            finished = item is None
            if batch:
                await despite_cancellation(self._store_batch(batch, report))

    async def _store_batch(self, batch: list[_Outcome], report: SweepReport) -> None:
        try:
            async with in_transaction() as connection:
                transitions = [await self._store(o.snapshot, o.result, connection) for o in batch]
        except Exception:  # the database hiccuped: these outcomes are lost, the sweep goes on
            log.exception("could not store %d health outcomes", len(batch))
            report.errors += len(batch)
            return
        for outcome, transition in zip(batch, transitions, strict=True):
            report.probed += 1
            report.reachable += outcome.result.reachable
            if transition is not None:
                report.transitions += 1
                await self._announce(transition)  # after the commit: it really happened

    async def run(self) -> None:
        """Sweep every interval (with jitter) while this process leads; until cancelled."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                started = loop.time()
                await self._sweep_if_leading()
                delay = next_delay(self.settings, self._rng) - (loop.time() - started)
                await asyncio.sleep(max(delay, 0.0))
        finally:
            await self.leader.aclose()

    async def _sweep_if_leading(self) -> None:
        try:
            if not await self.leader.acquire():
                return
            report = await self.sweep()
        except Exception:  # the loop must outlive any one sweep's failure
            log.exception("health sweep failed")
            return
        # Quiet sweeps are routine; say more when something changed or went wrong.
        log.log(
            logging.INFO if report.transitions or report.errors else logging.DEBUG,
            "health sweep: %d probed, %d reachable, %d transitions, %d errors",
            report.probed,
            report.reachable,
            report.transitions,
            report.errors,
        )

    async def _store(
        self,
        snapshot: _Snapshot,
        result: ProbeResult,
        connection: BaseDBAsyncClient | None = None,
    ) -> Transition | None:
        """Apply the rule and store the result; the status change, if any, for the caller to
        announce. None too when the outcome was dropped as stale."""
        checked_at = utcnow()
        for _ in range(_MAX_STORE_ATTEMPTS):
            old = snapshot.state
            new = advance(
                old,
                reachable=result.reachable,
                latency_ms=result.latency_ms,
                error=result.error,
                unhealthy_after=self.settings.unhealthy_after,
                healthy_after=self.settings.healthy_after,
            )
            if await _compare_and_set(snapshot, new, checked_at, connection):
                return _transition(snapshot.id, old, new, checked_at)
            fresh = await _read(snapshot.id, connection)
            if fresh is None or fresh.hostname != snapshot.hostname:
                return None  # deleted, or now another peer
            snapshot = fresh
        log.warning("gave up storing a health outcome for provider %s (contention)", snapshot.id)
        return None

    async def announce_reset(self, provider: Provider, old_status: HealthStatus) -> None:
        """Tell subscribers a provider's health went back to UNKNOWN: its hostname changed, and
        nothing is known yet of the new peer (``services.providers.update_provider``)."""
        if old_status == HealthStatus.UNKNOWN:
            return
        await self._announce(
            Transition(
                provider_id=str(provider.id),
                old_status=old_status,
                new_status=HealthStatus.UNKNOWN,
                checked_at=provider.tm_update,
                latency_ms=None,
                error=None,
            )
        )

    async def _announce(self, transition: Transition) -> None:
        log.info(
            "provider %s is now %s (was %s)%s",
            transition.provider_id,
            transition.new_status.value,
            transition.old_status.value,
            f": {transition.error}" if transition.new_status == HealthStatus.UNHEALTHY else "",
        )
        try:
            await self.events.publish(transition)
        except Exception:  # subscribers are told best-effort; the stored state is the truth
            log.exception("could not publish a health transition")


async def _read(
    provider_id: uuid.UUID, connection: BaseDBAsyncClient | None = None
) -> _Snapshot | None:
    query = Provider.filter(id=provider_id, tm_delete__isnull=True).using_db(connection)
    rows = await query.values(*_COLUMNS)
    return _Snapshot.from_row(rows[0]) if rows else None


async def _compare_and_set(
    snapshot: _Snapshot,
    new: HealthState,
    checked_at: datetime,
    connection: BaseDBAsyncClient | None,
) -> bool:
    """One UPDATE, applied only if the row still is what the rule started from."""
    old = snapshot.state
    query = Provider.filter(
        id=snapshot.id,
        tm_delete__isnull=True,
        hostname=snapshot.hostname,
        health_status=old.status,
        health_failures=old.failures,
        health_successes=old.successes,
    ).using_db(connection)
    changed: int = await query.update(
        health_status=new.status,
        health_failures=new.failures,
        health_successes=new.successes,
        health_latency_ms=new.latency_ms,
        health_last_error=new.last_error,
        health_checked_at=checked_at,
    )
    return changed == 1


def _transition(
    provider_id: uuid.UUID, old: HealthState, new: HealthState, checked_at: datetime
) -> Transition | None:
    if new.status == old.status:
        return None
    return Transition(
        provider_id=str(provider_id),
        old_status=old.status,
        new_status=new.status,
        checked_at=checked_at,
        latency_ms=new.latency_ms,
        error=new.last_error if new.status == HealthStatus.UNHEALTHY else None,
    )


__all__ = [
    "CheckResult",
    "HealthMonitor",
    "SweepReport",
    "next_delay",
]
