"""Keeps Python's cyclic garbage collector from walking the start-up heap on every full collection.

A full collection walks every object the process holds, and most of those are the ones made at
start-up (the schema, the ORM's models, the libraries) that live as long as the process. Under
load, full collections were the p99 spikes of the benchmarks (65 ms against 24 ms without them
for ``provider(id)``) and 15% of the CPU of a page of providers (BENCHMARKS.md, finding 2).

The collection thresholds stay CPython's: raising the young generation's to 10,000 saved a little
CPU more but let cyclic garbage pile up between full collections (peak RSS 143 MiB instead of
97 MiB under the routes benchmark).
"""

import gc


def settle_heap() -> None:
    """Call once start-up is done: collect what start-up left behind, then move everything that
    survives to the permanent generation, which collections never walk."""
    gc.collect()
    gc.freeze()
