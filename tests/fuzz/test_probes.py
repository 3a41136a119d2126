"""The guard that keeps the fuzzers' probes on loopback (``tests.fuzz.probes``) is right."""

import pytest

from tests.fuzz.probes import UNKNOWN_TARGET, _probe_targets, is_loopback_hostname


@pytest.mark.parametrize("hostname", ["127.0.0.1", "127.0.0.3:5060", "[::1]", "[::1]:5070"])
def test_loopback_literals_may_be_probed(hostname: str) -> None:
    assert is_loopback_hostname(hostname)


@pytest.mark.parametrize(
    "hostname",
    [
        "localhost",
        "sip.telnyx.com",
        "8.8.8.8",
        "10.0.0.1:5060",
        "[2001:db8::1]:5060",
        "127.0.0.1.nip.io",
    ],
)
def test_anything_else_is_not(hostname: str) -> None:
    assert not is_loopback_hostname(hostname)


def test_the_probed_ids_are_found_in_literals_variables_and_behind_aliases() -> None:
    literal = 'mutation { checkProviderHealth(input: {id: "a"}) { provider { id } } }'
    aliased = (
        "mutation($i: CheckProviderHealthInput!) "
        "{ x: checkProviderHealth(input: $i) { provider { id } } }"
    )
    assert _probe_targets(literal, None) == ["a"]
    assert _probe_targets(aliased, {"i": {"id": "b"}}) == ["b"]


def test_a_probe_that_cannot_be_traced_counts_as_off_machine() -> None:
    in_fragment = (
        "mutation { ...F } fragment F on Mutation "
        '{ checkProviderHealth(input: {id: "a"}) { provider { id } } }'
    )
    assert _probe_targets(in_fragment, None) == [UNKNOWN_TARGET]
    assert (
        _probe_targets("mutation { createProvider(input: {}) { provider { id } } }", None) is None
    )
    assert _probe_targets("mutation { checkProviderHealth(", None) is None  # never runs
