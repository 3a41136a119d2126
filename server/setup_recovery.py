"""The background pass that undoes setups a stopped process left half-done (see
``ProviderSetup.recover_interrupted``): once at start-up, then periodically, in every process —
the journal's conditional claim makes sure one process handles each setup."""

import asyncio
import logging

from services.setup import ProviderSetup

log = logging.getLogger("trunkql.setup")


async def recover_setups_forever(setup: ProviderSetup, recovery_after: float) -> None:
    interval = min(30.0, recovery_after / 2)
    while True:
        try:
            await setup.recover_interrupted(recovery_after)
        except Exception:  # the database may be down: try again next round, never give up
            log.exception("setup recovery pass failed; retrying in %.0f s", interval)
        await asyncio.sleep(interval)
