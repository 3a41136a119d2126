"""Fixtures for the health engine: scripted SIP peers on loopback, an open prober, and the
session's migrated database with an empty provider table."""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from starlette.applications import Starlette

from models.provider import Provider
from services.clock import utcnow
from services.health.events import Subscription, Transition
from services.health.sip_options import SipOptionsProber
from tests.conftest import clear_tables
from tests.databases import BACKEND
from tests.health.sip_responder import SipResponder

# Short, so silent peers cost little; loopback answers in well under a millisecond.
TIMEOUT = 0.4

postgres_only = pytest.mark.skipif(
    BACKEND != "postgres",
    reason="LISTEN/NOTIFY and advisory locks are PostgreSQL features; "
    "run with TRUNKQL_TEST_DATABASE=postgres",
)

StartResponder = Callable[..., Awaitable[SipResponder]]


@pytest.fixture
async def start_responder() -> AsyncIterator[StartResponder]:
    """Start any number of responders (``await start_responder(host="::1")``); all stop after."""
    started: list[SipResponder] = []

    async def start(**kwargs: Any) -> SipResponder:
        responder = await SipResponder(**kwargs).start()
        started.append(responder)
        return responder

    yield start
    for responder in started:
        responder.close()


@pytest.fixture
async def responder(start_responder: StartResponder) -> SipResponder:
    return await start_responder()


@pytest.fixture
async def prober() -> AsyncIterator[SipOptionsProber]:
    async with SipOptionsProber(timeout=TIMEOUT) as opened:
        yield opened


def closed_udp_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (just released by the kernel)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def db(app: Starlette) -> None:
    """The session app's ORM (a migrated SQLite file or PostgreSQL database), no providers."""
    await clear_tables()


async def add_providers(*hostnames: str, deleted: bool = False) -> list[Provider]:
    """Providers straight into the table (fast enough for hundreds)."""
    now = utcnow()
    rows = [
        Provider(
            id=uuid.uuid4(),
            name=f"carrier {index}",
            hostname=hostname,
            tm_create=now,
            tm_update=now,
            tm_delete=now if deleted else None,
        )
        for index, hostname in enumerate(hostnames)
    ]
    await Provider.bulk_create(rows)
    return rows


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll for a condition for up to ten seconds. A wait, not a timing assertion: the limit
    only turns a hang into a failure that says what never happened."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def next_of(subscription: Subscription) -> Transition:
    """The next transition; the limit only turns a missing one into a failure, not a hang."""
    async with asyncio.timeout(10):
        return await anext(subscription)
