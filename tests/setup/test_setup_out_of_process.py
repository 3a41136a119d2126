"""setupProvider through a real ``trunkql serve`` process, configured by environment variables,
against a fake Telnyx on loopback — as an operator runs it locally."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from carriers.fake_telnyx import FakeTelnyx, Fault, start_fake_telnyx
from tests.databases import fresh_database
from tests.processes import clean_env, fake_telnyx_command, free_port, run_trunkql, serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

KEY = "KEYoutofprocess0123456789"
SETUP = """mutation($input: SetupProviderInput!) {
  setupProvider(input: $input) { provider { id hostname } userErrors { field code message } }
}"""


async def _setup(base: str, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        reply = await client.post(
            "/graphql",
            json={
                "query": SETUP,
                "variables": {"input": {"carrier": "TELNYX", "name": "Local", "apiKey": KEY}},
            },
            headers={"Authorization": f"Bearer {token}"},
        )
    payload: dict[str, Any] = reply.json()["data"]["setupProvider"]
    return payload


def _env(url: str, telnyx: str, **extra: str) -> dict[str, str]:
    return clean_env(
        TRUNKQL_DATABASE_URL=url,
        TRUNKQL_TELNYX_BASE_URL=telnyx,
        TRUNKQL_JWT_SECRET="j" * 48,
        TRUNKQL_SECRET_KEY="k" * 48,
        **extra,
    )


def _token(tmp_path: Path, env: dict[str, str]) -> str:
    return run_trunkql(
        "token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=env
    ).stdout.strip()


async def test_setup_against_the_fake_telnyx_command(tmp_path: Path) -> None:
    port = free_port()
    with fake_telnyx_command(port, "--valid-key", KEY) as telnyx:
        async with fresh_database(tmp_path) as url:
            env = _env(url, telnyx)
            with serving(tmp_path, env) as (base, log):
                payload = await _setup(base, _token(tmp_path, env))
                assert KEY not in log.read_text()
        async with httpx.AsyncClient() as client:
            state = (await client.get(f"http://127.0.0.1:{port}/_fake/state")).json()

    assert payload["userErrors"] == []
    assert len(state["credential_connections"]) == 1
    assert len(state["outbound_voice_profiles"]) == 1


async def test_the_setup_deadline_cuts_a_slow_carrier_and_leaves_nothing(tmp_path: Path) -> None:
    fake = FakeTelnyx(valid_keys={KEY})
    runner, telnyx = await start_fake_telnyx(fake)
    try:
        # The carrier makes the connection, then sits on the answer past the whole deadline.
        fake.inject("credential_connections", "POST", Fault.apply_then_delay(3.0))
        async with fresh_database(tmp_path) as url:
            env = _env(
                url, telnyx, TRUNKQL_SETUP_DEADLINE="0.5", TRUNKQL_CARRIER_REQUEST_TIMEOUT="5"
            )
            with serving(tmp_path, env) as (base, _):
                payload = await _setup(base, _token(tmp_path, env))
    finally:
        await runner.cleanup()

    [error] = payload["userErrors"]
    assert error["code"] == "CARRIER_UNAVAILABLE"
    assert "did not complete the setup in time" in error["message"]  # the deadline ended it
    assert fake.calls_to("POST", "/v2/credential_connections") == 1
    assert fake.credential_connections == {}  # found by name and deleted
    assert fake.outbound_voice_profiles == {}
