"""The health rule on its own: thresholds, counter resets and latency smoothing."""

import itertools

import pytest

from models.enums import HealthStatus
from services.health.hysteresis import (
    COUNTER_CAP,
    LATENCY_ALPHA,
    HealthState,
    advance,
    smooth_latency,
)

CODES = {"?": HealthStatus.UNKNOWN, "H": HealthStatus.HEALTHY, "U": HealthStatus.UNHEALTHY}


def run(outcomes: str, *, unhealthy_after: int = 3, healthy_after: int = 2) -> str:
    """Feed outcomes (S success, F failure) from a fresh state; the status after each, as codes."""
    state = HealthState()
    seen = []
    for outcome in outcomes:
        state = advance(
            state,
            reachable=outcome == "S",
            latency_ms=1.0 if outcome == "S" else None,
            error=None if outcome == "S" else "timeout after 5.0s",
            unhealthy_after=unhealthy_after,
            healthy_after=healthy_after,
        )
        seen.append({v: k for k, v in CODES.items()}[state.status])
    return "".join(seen)


@pytest.mark.parametrize(
    ("outcomes", "statuses"),
    [
        ("", ""),
        ("F", "?"),
        ("FF", "??"),
        ("FFF", "??U"),  # three consecutive failures
        ("S", "?"),
        ("SS", "?H"),  # two consecutive successes
        ("FFSFF", "?????"),  # a success restarts the failure count
        ("SFS", "???"),  # a failure restarts the success count
        ("SSFF", "?HHH"),
        ("SSFFF", "?HHHU"),
        ("SSFFSFFF", "?HHHHHHU"),
        ("FFFS", "??UU"),
        ("FFFSS", "??UUH"),
        ("FFFSFSFS", "??UUUUUU"),  # flapping never recovers
        ("SSFSFSFSF", "?HHHHHHHH"),  # flapping never fails
        ("FFFFFFSS", "??UUUUUH"),
    ],
)
def test_status_flips_only_after_consecutive_runs(outcomes: str, statuses: str) -> None:
    assert run(outcomes) == statuses


@pytest.mark.parametrize(
    ("outcomes", "unhealthy_after", "healthy_after", "statuses"),
    [
        ("FSFS", 1, 1, "UHUH"),  # thresholds of one: no hysteresis
        ("SSSFFFF", 4, 3, "??HHHHU"),
        ("FSSS", 1, 3, "UUUH"),
    ],
)
def test_thresholds_are_settings(
    outcomes: str, unhealthy_after: int, healthy_after: int, statuses: str
) -> None:
    assert run(outcomes, unhealthy_after=unhealthy_after, healthy_after=healthy_after) == statuses


@pytest.mark.parametrize(
    ("status", "failures", "successes", "reachable"),
    list(itertools.product(CODES.values(), range(5), range(5), (True, False))),
)
def test_every_state_and_outcome(
    status: HealthStatus, failures: int, successes: int, reachable: bool
) -> None:
    """Exhaustively over stored states (consistent or not) with thresholds 3 and 2."""
    before = HealthState(status, failures, successes, latency_ms=None, last_error="earlier")

    after = advance(
        before,
        reachable=reachable,
        latency_ms=None,
        error="503 Service Unavailable",
        unhealthy_after=3,
        healthy_after=2,
    )

    if reachable:
        assert (after.failures, after.successes) == (0, successes + 1)
        assert after.last_error == "earlier"
        flipped = successes + 1 >= 2
        assert after.status == (HealthStatus.HEALTHY if flipped else status)
    else:
        assert (after.failures, after.successes) == (failures + 1, 0)
        assert after.last_error == "503 Service Unavailable"
        flipped = failures + 1 >= 3
        assert after.status == (HealthStatus.UNHEALTHY if flipped else status)


def test_counters_are_capped() -> None:
    state = HealthState(HealthStatus.UNHEALTHY, failures=COUNTER_CAP)

    after = advance(
        state, reachable=False, latency_ms=None, error="x", unhealthy_after=3, healthy_after=2
    )

    assert after.failures == COUNTER_CAP


def test_a_failure_without_a_reason_keeps_the_last_one() -> None:
    state = HealthState(last_error="ICMP port unreachable")

    after = advance(
        state, reachable=False, latency_ms=None, error=None, unhealthy_after=3, healthy_after=2
    )

    assert after.last_error == "ICMP port unreachable"


def test_latency_is_an_exponentially_weighted_average_of_answers() -> None:
    assert LATENCY_ALPHA == 0.3
    assert smooth_latency(None, None) is None
    assert smooth_latency(None, 10.0) == 10.0  # the first sample stands alone
    assert smooth_latency(10.0, 20.0) == pytest.approx(13.0)
    assert smooth_latency(13.0, None) == 13.0  # no answer, no sample
    assert smooth_latency(13.0, 40.0) == pytest.approx(21.1)


def test_the_rule_smooths_the_latency_of_any_answer() -> None:
    state = HealthState(latency_ms=10.0)

    after_503 = advance(
        state,
        reachable=False,
        latency_ms=20.0,
        error="503 Service Unavailable",
        unhealthy_after=3,
        healthy_after=2,
    )
    after_timeout = advance(
        after_503, reachable=False, latency_ms=None, error="t", unhealthy_after=3, healthy_after=2
    )

    assert after_503.latency_ms == pytest.approx(13.0)
    assert after_timeout.latency_ms == pytest.approx(13.0)
