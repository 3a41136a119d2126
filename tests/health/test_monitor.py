"""The monitor against a real database and real UDP peers: checks, hysteresis as stored, sweeps
with bounded concurrency, and the background loop."""

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from models.enums import HealthStatus
from models.provider import Provider
from services.errors import ErrorCode, ServiceError
from services.health.events import InProcessHealthEvents
from services.health.hysteresis import smooth_latency
from services.health.monitor import HealthMonitor, next_delay
from services.health.settings import HealthSettings
from services.health.sip_options import ProbeResult, SipOptionsProber
from services.providers import update_provider
from tests.health.conftest import (
    TIMEOUT,
    StartResponder,
    add_providers,
    next_of,
    wait_until,
)
from tests.health.sip_responder import SipResponder, answer

pytestmark = pytest.mark.usefixtures("db")

SETTINGS = HealthSettings(timeout=TIMEOUT, interval=0.05, jitter=0.5)


class CountingProber:
    """The real prober, observed: which hostnames, and how many probes at once at most."""

    def __init__(self, inner: SipOptionsProber) -> None:
        self.inner = inner
        self.hostnames: list[str] = []
        self.in_flight = 0
        self.peak = 0

    async def probe(self, hostname: str) -> ProbeResult:
        self.hostnames.append(hostname)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self.inner.probe(hostname)
        finally:
            self.in_flight -= 1


@pytest.fixture
async def events() -> AsyncIterator[InProcessHealthEvents]:
    hub = InProcessHealthEvents()
    yield hub
    await hub.aclose()


@pytest.fixture
def monitor(prober: SipOptionsProber, events: InProcessHealthEvents) -> HealthMonitor:
    return HealthMonitor(prober, SETTINGS, events)


async def test_hysteresis_through_checks_stored_in_the_database(
    responder: SipResponder, monitor: HealthMonitor, events: InProcessHealthEvents
) -> None:
    [provider] = await add_providers(responder.hostname)
    subscription = events.subscribe(str(provider.id))
    # (answer, expected status, failures, successes) after each check. Thresholds: 3 and 2.
    steps = [
        (503, HealthStatus.UNKNOWN, 1, 0),
        (503, HealthStatus.UNKNOWN, 2, 0),
        (200, HealthStatus.UNKNOWN, 0, 1),  # resets the failure run
        (503, HealthStatus.UNKNOWN, 1, 0),
        (503, HealthStatus.UNKNOWN, 2, 0),
        (503, HealthStatus.UNHEALTHY, 3, 0),  # third in a row
        (200, HealthStatus.UNHEALTHY, 0, 1),
        (503, HealthStatus.UNHEALTHY, 1, 0),
        (200, HealthStatus.UNHEALTHY, 0, 1),
        (200, HealthStatus.HEALTHY, 0, 2),  # second in a row
        (503, HealthStatus.HEALTHY, 1, 0),
        (503, HealthStatus.HEALTHY, 2, 0),
        (200, HealthStatus.HEALTHY, 0, 1),
    ]
    transitions_seen = []
    for status, expected, failures, successes in steps:
        responder.script = answer(status)
        result = await monitor.check(str(provider.id))
        stored = await Provider.get(id=provider.id)
        assert (stored.health_status, stored.health_failures, stored.health_successes) == (
            expected,
            failures,
            successes,
        ), f"after {status}"
        assert result.provider.health_status == expected
        if result.changed:
            assert result.transition is not None
            transitions_seen.append((result.transition.old_status, result.transition.new_status))

    assert transitions_seen == [
        (HealthStatus.UNKNOWN, HealthStatus.UNHEALTHY),
        (HealthStatus.UNHEALTHY, HealthStatus.HEALTHY),
    ]
    published = [await next_of(subscription) for _ in transitions_seen]
    assert [(t.old_status, t.new_status) for t in published] == transitions_seen
    assert published[0].error == "503 Service Unavailable"
    assert published[1].error is None


async def test_a_check_stores_time_smoothed_latency_and_the_last_error(
    responder: SipResponder, monitor: HealthMonitor
) -> None:
    [provider] = await add_providers(responder.hostname)
    before = datetime.now(UTC)

    responder.script = answer(503)
    first = await monitor.check(provider.id)
    responder.script = answer(200)
    second = await monitor.check(provider.id)

    stored = await Provider.get(id=provider.id)
    assert stored.health_checked_at is not None
    assert before <= stored.health_checked_at <= datetime.now(UTC) + timedelta(seconds=1)
    expected = smooth_latency(first.probe.latency_ms, second.probe.latency_ms)
    assert stored.health_latency_ms == pytest.approx(expected)
    assert stored.health_last_error == "503 Service Unavailable"  # kept after the recovery
    assert second.provider.health_latency_ms == pytest.approx(expected)
    # Health is not an edit of the record.
    assert stored.tm_update == provider.tm_update


async def test_a_silent_peer_is_stored_as_a_timeout(
    responder: SipResponder, monitor: HealthMonitor
) -> None:
    [provider] = await add_providers(responder.hostname)
    responder.script = lambda _request, _copy: []

    result = await monitor.check(provider.id)

    assert result.probe.error == f"timeout after {TIMEOUT}s"
    assert result.provider.health_last_error == f"timeout after {TIMEOUT}s"
    assert result.provider.health_latency_ms is None
    assert result.provider.health_failures == 1


@pytest.mark.parametrize(
    ("provider_id", "code"),
    [
        ("not-a-uuid", ErrorCode.INVALID_ARGUMENT),
        ("3fa85f64-5717-4562-b3fc-2c963f66afa6", ErrorCode.NOT_FOUND),
    ],
)
async def test_checking_a_missing_provider_is_a_service_error(
    monitor: HealthMonitor, provider_id: str, code: ErrorCode
) -> None:
    with pytest.raises(ServiceError) as raised:
        await monitor.check(provider_id)

    [error] = raised.value.errors
    assert (error.code, error.field) == (code, ("id",))


async def test_a_deleted_provider_is_not_checked(
    responder: SipResponder, monitor: HealthMonitor
) -> None:
    [provider] = await add_providers(responder.hostname, deleted=True)

    with pytest.raises(ServiceError) as raised:
        await monitor.check(provider.id)

    assert raised.value.errors[0].code == ErrorCode.NOT_FOUND
    assert responder.received == []


async def test_concurrent_checks_lose_no_outcome(
    responder: SipResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    [provider] = await add_providers(responder.hostname)
    responder.script = answer(503)
    both_probed = asyncio.Barrier(2)

    class InStep:
        """Both checks read the same state and probe before either stores."""

        async def probe(self, hostname: str) -> ProbeResult:
            result = await prober.probe(hostname)
            await both_probed.wait()
            return result

    monitor = HealthMonitor(InStep(), SETTINGS, events)

    await asyncio.gather(monitor.check(provider.id), monitor.check(provider.id))

    stored = await Provider.get(id=provider.id)
    assert stored.health_failures == 2


async def test_an_outcome_for_a_previous_hostname_is_dropped(
    responder: SipResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    [provider] = await add_providers(responder.hostname)
    responder.script = answer(503)

    class HostnameChangesMidProbe:
        async def probe(self, hostname: str) -> ProbeResult:
            result = await prober.probe(hostname)
            await update_provider(provider.id, {"hostname": "sip.new-carrier.example"})
            return result

    monitor = HealthMonitor(HostnameChangesMidProbe(), SETTINGS, events)

    result = await monitor.check(provider.id)

    stored = await Provider.get(id=provider.id)
    assert result.probe.error == "503 Service Unavailable"
    assert (stored.hostname, stored.health_failures, stored.health_checked_at) == (
        "sip.new-carrier.example",
        0,
        None,
    )
    assert result.provider.health_status == HealthStatus.UNKNOWN


async def test_a_sweep_probes_every_live_provider_with_bounded_concurrency(
    start_responder: StartResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    # Answers a little later, so probes overlap and the bound is what limits them.
    shared = await start_responder(script=answer(200, delay=0.02))
    for_deleted = await start_responder()
    live = await add_providers(*[shared.hostname] * 500)
    await add_providers(for_deleted.hostname, deleted=True)
    counting = CountingProber(prober)
    monitor = HealthMonitor(counting, HealthSettings(timeout=TIMEOUT, concurrency=25), events)

    report = await monitor.sweep()

    assert counting.peak == 25
    assert len(counting.hostnames) == 500
    assert (report.probed, report.reachable, report.transitions, report.errors) == (500, 500, 0, 0)
    assert len({r.branch for r in shared.received}) == 500
    assert for_deleted.received == []
    checked = await Provider.filter(
        id__in=[p.id for p in live], health_successes=1, health_checked_at__isnull=False
    ).count()
    assert checked == 500


async def test_a_sweep_outlives_one_providers_failure(
    responder: SipResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    await add_providers(responder.hostname, "broken.example", responder.hostname)

    class BreaksOnOne:
        async def probe(self, hostname: str) -> ProbeResult:
            if hostname == "broken.example":
                raise RuntimeError("boom")
            return await prober.probe(hostname)

    monitor = HealthMonitor(BreaksOnOne(), SETTINGS, events)

    report = await monitor.sweep()

    assert (report.probed, report.errors) == (2, 1)
    assert await Provider.filter(health_successes=1).count() == 2


async def test_a_sweep_announces_transitions(
    start_responder: StartResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    up = await start_responder()
    [provider] = await add_providers(up.hostname)
    settings = HealthSettings(timeout=TIMEOUT, healthy_after=1)
    monitor = HealthMonitor(prober, settings, events)
    everything = events.subscribe()

    report = await monitor.sweep()

    assert report.transitions == 1
    transition = await next_of(everything)
    assert (transition.provider_id, transition.new_status) == (
        str(provider.id),
        HealthStatus.HEALTHY,
    )


class Leader:
    def __init__(self, leading: bool) -> None:
        self.leading = leading
        self.asked = 0
        self.closed = False

    async def acquire(self) -> bool:
        self.asked += 1
        return self.leading

    async def aclose(self) -> None:
        self.closed = True


async def test_the_loop_sweeps_repeatedly_while_leading_and_stops_on_cancel(
    responder: SipResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    await add_providers(responder.hostname)
    leader = Leader(leading=True)
    monitor = HealthMonitor(prober, SETTINGS, events, leader=leader)

    task = asyncio.create_task(monitor.run())
    await wait_until(lambda: len(responder.received) >= 3, "three sweeps")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert leader.closed  # stepped down
    stored = await Provider.get(hostname=responder.hostname)
    assert stored.health_status == HealthStatus.HEALTHY


async def test_a_process_that_does_not_lead_does_not_sweep(
    responder: SipResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    await add_providers(responder.hostname)
    leader = Leader(leading=False)
    monitor = HealthMonitor(prober, SETTINGS, events, leader=leader)

    task = asyncio.create_task(monitor.run())
    await wait_until(lambda: leader.asked >= 3, "three intervals")
    assert responder.received == []
    leader.leading = True  # the leader died: take over
    await wait_until(lambda: len(responder.received) >= 1, "a sweep")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_the_loop_survives_a_failing_sweep(
    responder: SipResponder, prober: SipOptionsProber, events: InProcessHealthEvents
) -> None:
    await add_providers(responder.hostname)
    monitor = HealthMonitor(prober, SETTINGS, events)
    real_sweep = monitor.sweep
    failures = 0

    async def fails_twice() -> object:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise ConnectionError("database went away")
        return await real_sweep()

    monitor.sweep = fails_twice  # type: ignore[method-assign, assignment]
    task = asyncio.create_task(monitor.run())
    await wait_until(lambda: len(responder.received) >= 1, "a sweep after two failures")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert failures == 2


async def test_cancelling_a_sweep_at_any_moment_leaves_the_database_usable(
    events: InProcessHealthEvents,
) -> None:
    await add_providers(*["127.0.0.1:5060"] * 20)

    class Instant:
        async def probe(self, hostname: str) -> ProbeResult:
            return ProbeResult(reachable=True, status=200, latency_ms=1.0)

    monitor = HealthMonitor(Instant(), SETTINGS, events)
    for steps in range(60):  # cancel after 0, 1, 2, ... turns of the event loop
        sweep = asyncio.create_task(monitor.sweep())
        for _ in range(steps):
            await asyncio.sleep(0)
        sweep.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweep
        async with asyncio.timeout(5):  # a stuck connection lock hangs here
            await Provider.all().count()


def test_sweeps_start_every_interval_moved_by_jitter() -> None:
    settings = HealthSettings(interval=30.0, jitter=0.1)
    rng = random.Random(7)

    delays = [next_delay(settings, rng) for _ in range(1000)]

    assert all(27.0 <= d <= 33.0 for d in delays)
    assert min(delays) < 28.0
    assert max(delays) > 32.0


@pytest.mark.parametrize(
    "bad",
    [
        {"interval": 0},
        {"jitter": 1.0},
        {"jitter": -0.1},
        {"timeout": 0},
        {"unhealthy_after": 0},
        {"healthy_after": 0},
        {"concurrency": 0},
    ],
)
def test_settings_refuse_values_that_cannot_work(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        HealthSettings(**bad)  # type: ignore[arg-type]
