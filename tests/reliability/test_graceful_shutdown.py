"""SIGTERM: the server stops taking new work, finishes what is in flight, closes its database and
carrier sessions, and exits cleanly."""

import asyncio
import signal
from pathlib import Path

import httpx
import pytest

from carriers.fake_telnyx import FakeTelnyx, Fault
from tests.carriers.fake_thread import fake_telnyx_thread
from tests.databases import fresh_database
from tests.processes import clean_env, run_trunkql, server_process
from tests.waiting import until

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

KEY = "KEYgracefulshutdown0123456789"
SETUP = {
    "query": "mutation($i: SetupProviderInput!) { setupProvider(input: $i) { "
    "provider { id } userErrors { code message } } }",
    "variables": {"i": {"carrier": "TELNYX", "name": "In flight", "apiKey": KEY}},
}


async def test_sigterm_lets_in_flight_work_finish_then_exits_cleanly(tmp_path: Path) -> None:
    fake = FakeTelnyx(valid_keys={KEY})
    # The carrier takes a while to create the connection: the setup is in flight meanwhile.
    fake.inject("credential_connections", "POST", Fault.delay(1.5))
    with fake_telnyx_thread(fake) as telnyx:
        async with fresh_database(tmp_path) as url:
            env = clean_env(
                TRUNKQL_DATABASE_URL=url,
                TRUNKQL_TELNYX_BASE_URL=telnyx,
                TRUNKQL_JWT_SECRET="g" * 48,
                TRUNKQL_SECRET_KEY="h" * 48,
                TRUNKQL_SHUTDOWN_GRACE_SECONDS="20",
            )
            token = run_trunkql("token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=env)
            headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
            with server_process(tmp_path, env) as (process, base, log):
                async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
                    in_flight = asyncio.create_task(client.post("/graphql", json=SETUP))
                    await until(lambda: fake.calls_to("POST", "/v2/credential_connections") > 0, 10)

                    process.send_signal(signal.SIGTERM)
                    reply = await in_flight

                    await asyncio.to_thread(process.wait, 30)
                    with pytest.raises(httpx.TransportError):
                        await client.get("/healthz")  # no longer accepting
                text = log.read_text()

    assert reply.json()["data"]["setupProvider"]["userErrors"] == []
    # uvicorn re-raises SIGTERM once its shutdown is complete, so the exit status says how it was
    # stopped (systemd counts that as a clean stop); anything else would be a crash.
    assert process.returncode in (0, -signal.SIGTERM)
    assert len(fake.credential_connections) == 1  # finished, not abandoned half-way
    assert "Tortoise-ORM shutdown" in text  # the database connections were closed
    assert "Application shutdown complete" in text
