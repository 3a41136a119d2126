"""Waiting for something another process does, with a bound (never an open-ended sleep)."""

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def until(condition: Callable[[], bool | Awaitable[bool]], seconds: float) -> None:
    """Returns once ``condition()`` holds; fails the test if it has not within ``seconds``."""
    for _ in range(int(seconds * 20)):
        outcome = condition()
        if await outcome if inspect.isawaitable(outcome) else outcome:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not reached within {seconds} s")
