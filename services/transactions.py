"""Transactions that a cancelled caller cannot leave half-begun.

Tortoise's SQLite client takes a lock when a transaction begins; a task cancelled at that moment
never releases it, and every later query of the process waits forever (reproduced with Tortoise
1.1.9: cancel a task one event-loop step into ``in_transaction()``). A request task is cancelled
when the server shuts down, and a caller's deadline cancels what it awaits; so every transaction
runs in a task of its own, which the caller's cancellation does not reach: the transaction
finishes (commits or rolls back) and the cancellation then goes on. Transactions here take
milliseconds, so the cancelled caller waits that much longer, no more.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

T = TypeVar("T")


async def despite_cancellation(
    work: Coroutine[Any, Any, T],
    on_cancelled: Callable[[T], Awaitable[object]] | None = None,
) -> T:
    """Run ``work`` to its end even if the caller is cancelled meanwhile; then the caller's
    cancellation goes on (whatever ``work`` did has happened: decide from the stored state).
    ``on_cancelled(result)``, if given, runs to its end first when ``work`` succeeded but its
    caller was cancelled: to undo what the caller will not get to finish."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        if on_cancelled is not None and not task.cancelled() and task.exception() is None:
            await asyncio.shield(on_cancelled(task.result()))
        raise


async def atomically(body: Callable[[BaseDBAsyncClient], Awaitable[T]]) -> T:
    """``body(connection)`` in one transaction (committed if it returns, rolled back if it
    raises), run to its end whatever happens to the caller (``despite_cancellation``)."""

    async def transaction() -> T:
        async with in_transaction() as connection:
            return await body(connection)

    return await despite_cancellation(transaction())
