"""Fixtures: a fresh fake Telnyx on loopback per test, and an adapter pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from carriers.fake_telnyx import FakeTelnyx, start_fake_telnyx
from carriers.telnyx import TelnyxCarrier

# Distinctive values so a leak is unmistakable in any message, repr or log line.
KEY_OK = "KEY01TESTOKAYc0ffee5ecret_do_not_leak"
KEY_NO_CONN = "KEY01TESTNOCONNbadc0de5ecret_do_not_leak"
KEY_BAD = "KEY01TESTBADdeadbeef5ecret_do_not_leak"
ALL_KEYS = (KEY_OK, KEY_NO_CONN, KEY_BAD)

# Small numbers keep the suite fast while still exercising timeouts and backoff.
REQUEST_TIMEOUT = 0.3
MAX_ATTEMPTS = 4


@pytest.fixture
def fake() -> FakeTelnyx:
    return FakeTelnyx(
        valid_keys={KEY_OK},
        forbidden_keys={KEY_NO_CONN: {"credential_connections"}},
    )


@pytest.fixture
async def base_url(fake: FakeTelnyx) -> AsyncIterator[str]:
    runner, url = await start_fake_telnyx(fake)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def carrier(session: aiohttp.ClientSession, base_url: str) -> TelnyxCarrier:
    return TelnyxCarrier(
        session,
        base_url,
        request_timeout=REQUEST_TIMEOUT,
        max_attempts=MAX_ATTEMPTS,
        backoff_base=0.01,
        backoff_max=1.0,
    )
