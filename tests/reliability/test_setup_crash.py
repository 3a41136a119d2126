"""A server killed (SIGKILL) in the middle of setupProvider: the next start finds the unfinished
setup in its journal and deletes the carrier resources it made — at every step of the setup."""

import asyncio
import json
import signal
from pathlib import Path

import httpx
import pytest

from carriers.fake_telnyx import FakeTelnyx, Fault
from tests.carriers.fake_thread import fake_telnyx_thread
from tests.databases import fetch_rows, fresh_database
from tests.processes import clean_env, run_trunkql, server_process
from tests.waiting import until

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

KEY = "KEYcrashsafety0123456789"
SETUP = {
    "query": "mutation($i: SetupProviderInput!) { setupProvider(input: $i) { provider { id } } }",
    "variables": {"i": {"carrier": "TELNYX", "name": "Killed", "apiKey": KEY}},
}
# Where the first server dies: while the carrier holds the answer to this call.
STEPS = {
    "validating the key": ("balance", "GET", Fault.delay(60)),
    "creating the profile": ("outbound_voice_profiles", "POST", Fault.apply_then_delay(60)),
    "creating the connection": ("credential_connections", "POST", Fault.apply_then_delay(60)),
}
# What the journal holds at that moment (kind, whether the id is known): each create is on record
# by name before it is sent, and what was made before it by id.
ON_RECORD = {
    "validating the key": [],
    "creating the profile": [("outbound_voice_profile", False)],
    "creating the connection": [("outbound_voice_profile", True), ("credential_connection", False)],
}


@pytest.mark.parametrize("step", STEPS)
async def test_a_setup_killed_midway_is_undone_by_the_next_start(tmp_path: Path, step: str) -> None:
    endpoint, method, hold = STEPS[step]
    fake = FakeTelnyx(valid_keys={KEY})
    fake.inject(endpoint, method, hold)
    with fake_telnyx_thread(fake) as telnyx:
        async with fresh_database(tmp_path) as url:
            env = clean_env(
                TRUNKQL_DATABASE_URL=url,
                TRUNKQL_TELNYX_BASE_URL=telnyx,
                TRUNKQL_JWT_SECRET="c" * 48,
                TRUNKQL_SECRET_KEY="r" * 48,
                TRUNKQL_SETUP_DEADLINE="1",
                TRUNKQL_SETUP_RECOVERY_AFTER="2",
            )
            token = run_trunkql("token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=env)
            headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
            with server_process(tmp_path, env) as (first, base, _):
                async with httpx.AsyncClient(base_url=base, headers=headers) as client:
                    request = asyncio.create_task(client.post("/graphql", json=SETUP))
                    await until(lambda: fake.calls_to(method, f"/v2/{endpoint}") > 0, 10)
                    first.send_signal(signal.SIGKILL)
                    await asyncio.to_thread(first.wait, 10)
                    with pytest.raises(httpx.TransportError):
                        await request
            [journal] = await fetch_rows(
                url, "SELECT status, resources, api_key_encrypted FROM setup_journal"
            )
            assert journal["status"] == "pending"  # the dead process could not finish it
            resources = json.loads(str(journal["resources"]))  # both drivers hand JSON as text
            assert [(r["kind"], r["id"] is not None) for r in resources] == ON_RECORD[step]
            assert journal["api_key_encrypted"]  # kept (encrypted) exactly for this
            assert KEY not in str(journal["api_key_encrypted"])

            with server_process(tmp_path, env):

                async def undone() -> bool:
                    rows = await fetch_rows(url, "SELECT status FROM setup_journal")
                    return rows[0]["status"] != "pending"

                await until(undone, 20)
            [journal] = await fetch_rows(
                url,
                "SELECT status, error_code, resources, api_key_encrypted FROM setup_journal",
            )
            providers = await fetch_rows(url, "SELECT id FROM provider")

    assert journal["status"] == "rolled_back"
    assert journal["error_code"] == "INTERRUPTED"
    assert journal["api_key_encrypted"] is None  # erased once used
    assert fake.outbound_voice_profiles == {}
    assert fake.credential_connections == {}
    assert providers == []
