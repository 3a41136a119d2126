"""Which process sweeps. Probing every provider from every process would multiply the load on
carriers by the number of processes, so one leads and the others stand by.

On PostgreSQL the leader is whoever holds a session-level advisory lock on a dedicated
connection. The server releases it when that session ends, so when the leader dies (or loses its
connection) another process's next ``acquire`` takes over. SQLite means one process: it leads.
"""

import asyncio
import logging
from typing import Any, Protocol

import asyncpg

from services.health.postgres import asyncpg_dsn

log = logging.getLogger("trunkql.health")

# Fixed, so every trunkql process on the database contends for the same lock: "trunkql" in ASCII.
DEFAULT_LEADER_KEY = int.from_bytes(b"trunkql", "big")


class Leadership(Protocol):
    async def acquire(self) -> bool:
        """True if this process leads now (taking the lead if it is free). Never raises."""
        ...

    async def aclose(self) -> None:
        """Step down."""
        ...


class AlwaysLeader:
    async def acquire(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None


class PostgresLeadership:
    def __init__(
        self, database_url: str, *, key: int = DEFAULT_LEADER_KEY, timeout: float = 10.0
    ) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._key = key
        self._timeout = timeout
        self._connection: Any = None
        self._leading = False

    async def acquire(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._acquire()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # The session (and with it the lock, if held) may be gone: start afresh next time.
            if self._leading:
                log.warning("lost health-monitor leadership: %s", exc)
            await self._drop_connection()
            return False

    async def _acquire(self) -> bool:
        if self._connection is None or self._connection.is_closed():
            self._leading = False
            self._connection = await asyncpg.connect(self._dsn)
        if self._leading:
            # Still our session, hence still our lock, if the server still answers on it.
            await self._connection.execute("SELECT 1")
            return True
        self._leading = bool(
            await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", self._key)
        )
        if self._leading:
            log.info("this process now leads the health monitor")
        return self._leading

    async def aclose(self) -> None:
        """Step down now: unlock explicitly, because the server frees a closed session's locks
        only as that backend exits, a moment after the client has gone."""
        connection, leading = self._connection, self._leading
        if connection is not None and leading and not connection.is_closed():
            try:
                async with asyncio.timeout(self._timeout):
                    await connection.execute("SELECT pg_advisory_unlock($1)", self._key)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                pass  # the session is going anyway, and the lock with it
        await self._drop_connection()

    async def _drop_connection(self) -> None:
        connection, self._connection, self._leading = self._connection, None, False
        if connection is not None:
            connection.terminate()  # cannot hang on a dead peer, unlike close()
