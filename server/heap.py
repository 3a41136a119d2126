"""Keeps Python's cyclic garbage collector out of the request path.

A full collection walks every object the process holds, and most of those are the ones made at
start-up (the schema, the ORM's models, the libraries) that live as long as the process. Under
load, full collections were the p99 spikes of the benchmarks (65 ms against 24 ms without them
for ``provider(id)``) and 15% of the CPU of a page of providers (BENCHMARKS.md, finding 2).
"""

import gc

# Allocations between young-generation collections (CPython's default is 700): a request makes a
# few hundred objects, so with the default nearly every request paid for a collection.
YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Call once start-up is done: collect what start-up left behind, then move everything that
    survives to the permanent generation, which collections never walk."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
