"""Example budgets of the property and fuzz suites: bounded, so the suite stays fast in CI.

Pure properties (no I/O) afford a few hundred examples each; properties that go through the app
and the database a few dozen. ``TRUNKQL_PROPERTY_SCALE`` multiplies every budget, e.g. ``=20`` for
a long local hunt. In CI (``CI=true``) Hypothesis' own ``ci`` profile makes runs derandomized, so
CI is reproducible; locally each run explores new examples. Failures print the seed blob
(``print_blob``) to replay them; no example database is written into the work tree.
"""

import os

from hypothesis import HealthCheck, settings

_SCALE = float(os.environ.get("TRUNKQL_PROPERTY_SCALE", "1"))


def _examples(count: int) -> int:
    return max(1, round(count * _SCALE))


def pure(examples: int = 200) -> settings:
    """For properties of pure functions."""
    return settings(max_examples=_examples(examples), deadline=None, database=None, print_blob=True)


def through_the_app(examples: int = 25) -> settings:
    """For properties checked over HTTP against the app and its database. Each example resets the
    tables itself, hence the function-scoped fixtures are fine."""
    return settings(
        max_examples=_examples(examples),
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def fuzz(examples: int) -> settings:
    """For fuzzing a live server over HTTP: each example is one request."""
    return settings(
        max_examples=_examples(examples),
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )
