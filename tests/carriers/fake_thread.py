"""The fake Telnyx on its own thread and event loop, for tests that block their own loop (waiting
for a server process to stop, say) while the fake must keep answering."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from carriers.fake_telnyx import FakeTelnyx, start_fake_telnyx


@contextmanager
def fake_telnyx_thread(fake: FakeTelnyx) -> Iterator[str]:
    """Serves ``fake`` on a loopback port until the block ends; yields its /v2 base URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner, url = asyncio.run_coroutine_threadsafe(start_fake_telnyx(fake), loop).result(10)
    try:
        yield url
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
