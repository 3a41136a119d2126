"""Start-up leaves the collector a small heap to walk: what start-up made is frozen."""

import gc

from starlette.applications import Starlette


async def test_after_start_up_the_long_lived_objects_are_out_of_the_collectors_way(
    app: Starlette,
) -> None:
    assert gc.get_freeze_count() > 10_000  # the schema, the models, the libraries
