"""Benchmarks of trunkql: the GraphQL server against a raw Starlette baseline.

Run with ``python -m bench.run``.

Never part of the test suite. See BENCHMARKS.md for the method and the results.
"""
