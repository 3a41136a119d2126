"""The health rule: one probe outcome moves a provider's health state. Pure, no I/O.

Status flips only after a run of consecutive outcomes the other way (UNHEALTHY after
``unhealthy_after`` failures, HEALTHY after ``healthy_after`` successes), so one lost datagram or
one slow answer does not make routing flap. Each outcome resets the opposite counter: the runs
must be consecutive. UNKNOWN (never probed, or a new hostname) leaves by the same thresholds.
"""

from dataclasses import dataclass, replace

from models.enums import HealthStatus

# Weight of the newest round-trip time in the smoothed latency (an EWMA): recent enough to show
# a change within a few probes, smooth enough that one outlier does not dominate.
LATENCY_ALPHA = 0.3
# Counters only need to reach the thresholds; capping keeps a years-long run inside the INT column.
COUNTER_CAP = 1_000_000


@dataclass(frozen=True)
class HealthState:
    """A provider's stored health: what the rule reads and writes."""

    status: HealthStatus = HealthStatus.UNKNOWN
    failures: int = 0
    successes: int = 0
    latency_ms: float | None = None
    # Why the last failed probe failed; kept after recoveries, as history.
    last_error: str | None = None


def smooth_latency(previous: float | None, sample: float | None) -> float | None:
    if sample is None:
        return previous
    if previous is None:
        return sample
    return previous + LATENCY_ALPHA * (sample - previous)


def advance(
    state: HealthState,
    *,
    reachable: bool,
    latency_ms: float | None,
    error: str | None,
    unhealthy_after: int,
    healthy_after: int,
) -> HealthState:
    """The state after one probe outcome. ``latency_ms`` is the round trip when the peer answered
    (whatever it answered), else None."""
    latency = smooth_latency(state.latency_ms, latency_ms)
    if reachable:
        successes = min(state.successes + 1, COUNTER_CAP)
        status = HealthStatus.HEALTHY if successes >= healthy_after else state.status
        return replace(state, status=status, failures=0, successes=successes, latency_ms=latency)
    failures = min(state.failures + 1, COUNTER_CAP)
    status = HealthStatus.UNHEALTHY if failures >= unhealthy_after else state.status
    return HealthState(
        status=status,
        failures=failures,
        successes=0,
        latency_ms=latency,
        last_error=error if error is not None else state.last_error,
    )
