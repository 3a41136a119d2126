"""Health transitions, published by the monitor and delivered to subscribers.

``InProcessHealthEvents`` serves one process (SQLite, or tests). ``PostgresHealthEvents`` lets
several ``trunkql serve`` processes share transitions through PostgreSQL LISTEN/NOTIFY: a
transition is NOTIFYed, and every process (the publisher too) hears it on its own LISTEN
connection and hands it to its local subscribers. So every subscriber, wherever it is connected,
sees every transition once, in the order the database delivered them.

A subscriber gets a bounded queue. One that does not keep up loses its oldest transitions: the
monitor (and every other subscriber) never waits for it.
"""

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

import asyncpg

from models.enums import HealthStatus
from services.health.postgres import asyncpg_dsn

log = logging.getLogger("trunkql.health")

DEFAULT_CHANNEL = "trunkql_health"
DEFAULT_MAX_QUEUED = 100


@dataclass(frozen=True)
class Transition:
    """A provider's health status changed."""

    provider_id: str
    old_status: HealthStatus
    new_status: HealthStatus
    checked_at: datetime
    latency_ms: float | None
    error: str | None

    def to_json(self) -> str:
        values = asdict(self)
        values["checked_at"] = self.checked_at.isoformat()
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> "Transition":
        """``ValueError`` (or ``KeyError``/``TypeError``) for anything else than ``to_json``'s."""
        values: dict[str, Any] = json.loads(text)
        latency = values["latency_ms"]
        error = values["error"]
        if not (latency is None or isinstance(latency, int | float)):
            raise ValueError("latency_ms")
        if not (error is None or isinstance(error, str)):
            raise ValueError("error")
        return cls(
            provider_id=str(values["provider_id"]),
            old_status=HealthStatus(values["old_status"]),
            new_status=HealthStatus(values["new_status"]),
            checked_at=datetime.fromisoformat(values["checked_at"]),
            latency_ms=None if latency is None else float(latency),
            error=error,
        )


class Subscription:
    """Transitions for one subscriber, as an async iterator. Registered from creation (nothing
    published after ``subscribe()`` returns is missed); ``close()`` (or leaving ``async with``)
    unregisters it and ends the iteration."""

    def __init__(
        self,
        provider_id: str | None,
        max_queued: int,
        on_close: Callable[["Subscription"], None],
    ) -> None:
        self.provider_id = provider_id
        self.dropped = 0
        self._queue: deque[Transition] = deque(maxlen=max_queued)
        self._wakeup = asyncio.Event()
        self._closed = False
        self._on_close = on_close

    def offer(self, transition: Transition) -> None:
        if self._closed or self.provider_id not in (None, transition.provider_id):
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1  # the deque drops the oldest itself
        self._queue.append(transition)
        self._wakeup.set()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._on_close(self)
            self._wakeup.set()

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> Transition:
        while not self._queue:
            if self._closed:
                raise StopAsyncIteration
            self._wakeup.clear()
            await self._wakeup.wait()
        return self._queue.popleft()

    async def __aenter__(self) -> "Subscription":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _LocalSubscribers:
    """The subscribers of this process."""

    def __init__(self, max_queued: int) -> None:
        self._max_queued = max_queued
        self._subscriptions: set[Subscription] = set()

    def subscribe(self, provider_id: str | None) -> Subscription:
        subscription = Subscription(provider_id, self._max_queued, self._subscriptions.discard)
        self._subscriptions.add(subscription)
        return subscription

    def deliver(self, transition: Transition) -> None:
        for subscription in list(self._subscriptions):
            subscription.offer(transition)

    def close_all(self) -> None:
        for subscription in list(self._subscriptions):
            subscription.close()


class HealthEvents(Protocol):
    async def start(self) -> None: ...

    async def aclose(self) -> None: ...

    async def publish(self, transition: Transition) -> None: ...

    def subscribe(self, provider_id: str | None = None) -> Subscription:
        """Transitions of one provider, or of all with None."""
        ...


class InProcessHealthEvents:
    def __init__(self, max_queued: int = DEFAULT_MAX_QUEUED) -> None:
        self._local = _LocalSubscribers(max_queued)

    async def start(self) -> None:
        return None

    async def aclose(self) -> None:
        self._local.close_all()

    async def publish(self, transition: Transition) -> None:
        self._local.deliver(transition)

    def subscribe(self, provider_id: str | None = None) -> Subscription:
        return self._local.subscribe(provider_id)


class PostgresHealthEvents:
    """Transitions shared by every process on one PostgreSQL database.

    One dedicated connection LISTENs (and also carries this process's NOTIFYs). When it is lost,
    it is re-established with backoff; NOTIFY is not durable, so transitions published while a
    process is disconnected do not reach that process's subscribers. A periodic ``SELECT 1``
    notices a connection that died without the TCP session closing.
    """

    def __init__(
        self,
        database_url: str,
        *,
        channel: str = DEFAULT_CHANNEL,
        max_queued: int = DEFAULT_MAX_QUEUED,
        keepalive: float = 30.0,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 15.0,
        connect_timeout: float = 10.0,
    ) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._channel = channel
        self._local = _LocalSubscribers(max_queued)
        self._keepalive = keepalive
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._connect_timeout = connect_timeout
        self._connection: Any = None
        self._lock = asyncio.Lock()  # one query at a time on an asyncpg connection
        self._supervisor: asyncio.Task[None] | None = None

    @property
    def backend_pid(self) -> int | None:
        """The server process of the LISTEN connection, None while disconnected."""
        connection = self._connection
        if connection is None or connection.is_closed():
            return None
        pid: int = connection.get_server_pid()
        return pid

    async def start(self) -> None:
        """Connect and LISTEN (raising if the database cannot be reached now), then keep the
        connection up in the background."""
        connection = await self._connect()
        self._supervisor = asyncio.create_task(
            self._supervise(connection), name="trunkql-health-listen"
        )

    async def aclose(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            # Bounded: shutting down must not hang on a LISTEN connection in a bad state.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(10):
                    await asyncio.gather(self._supervisor, return_exceptions=True)
            if self._connection is not None:
                self._connection.terminate()
                self._connection = None
            self._supervisor = None
        self._local.close_all()

    async def publish(self, transition: Transition) -> None:
        connection = self._connection
        if connection is not None and not connection.is_closed():
            try:
                async with self._lock, asyncio.timeout(self._connect_timeout):
                    await connection.execute(
                        "SELECT pg_notify($1, $2)", self._channel, transition.to_json()
                    )
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("could not NOTIFY a health transition: %s", exc)
            else:
                return  # comes back through LISTEN, to this process's subscribers too
        # Without the database, other processes cannot hear it, but this one's subscribers can.
        self._local.deliver(transition)

    def subscribe(self, provider_id: str | None = None) -> Subscription:
        return self._local.subscribe(provider_id)

    async def _connect(self) -> Any:
        connection = await asyncpg.connect(self._dsn, timeout=self._connect_timeout)
        try:
            await connection.add_listener(self._channel, self._on_notification)
        except BaseException:
            connection.terminate()  # never wait on a connection we are abandoning
            raise
        self._connection = connection
        return connection

    async def _supervise(self, connection: Any) -> None:
        delay = self._reconnect_delay
        while True:
            if connection is not None:
                await self._watch(connection)
                log.warning("health LISTEN connection lost; reconnecting")
                self._connection = None
            await asyncio.sleep(delay)
            try:
                connection = await self._connect()
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("health LISTEN reconnect failed: %s", exc)
                connection = None
                delay = min(delay * 2, self._max_reconnect_delay)
            else:
                log.info("health LISTEN connection re-established")
                delay = self._reconnect_delay

    async def _watch(self, connection: Any) -> None:
        """Return when ``connection`` is gone (it is closed on return)."""
        closed = asyncio.Event()
        connection.add_termination_listener(lambda _connection: closed.set())
        try:
            while not connection.is_closed():
                try:
                    await asyncio.wait_for(closed.wait(), self._keepalive)
                except TimeoutError:
                    async with self._lock, asyncio.timeout(self._connect_timeout):
                        await connection.execute("SELECT 1")
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            pass
        finally:
            connection.terminate()

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            transition = Transition.from_json(payload)
        except (ValueError, KeyError, TypeError):
            # Anyone with access to the database can NOTIFY this channel; never let a bad
            # payload break the listener.
            log.warning("ignored a malformed health notification")
            return
        self._local.deliver(transition)
