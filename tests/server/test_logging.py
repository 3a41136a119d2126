"""Logs are JSON lines carrying the request id that the response header also carries."""

import json
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database
from tests.processes import clean_env, serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


async def test_every_log_line_is_json_with_the_request_id(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        env = clean_env(TRUNKQL_DATABASE_URL=url, TRUNKQL_LOG_LEVEL="INFO")
        with serving(tmp_path, env) as (base, log):
            async with httpx.AsyncClient(base_url=base) as client:
                reply = await client.post(
                    "/graphql",
                    json={"query": "{ providers { totalCount } }"},
                    headers={"X-Request-ID": "trace-from-gateway-42"},
                )
            text = log.read_text()

    assert reply.status_code == 401
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    access = [
        line
        for line in lines
        if line.get("logger") == "trunkql.access" and "/graphql" in line["message"]
    ]
    assert access
    assert access[0]["requestId"] == "trace-from-gateway-42"
    assert access[0]["level"] == "INFO"
    audit = [line for line in lines if line.get("event") == "authentication"]
    assert audit[0]["requestId"] == "trace-from-gateway-42"
    assert any(line.get("logger", "").startswith("uvicorn") for line in lines)


async def test_text_logs_on_request(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        env = clean_env(TRUNKQL_DATABASE_URL=url, TRUNKQL_LOG_FORMAT="text")
        with serving(tmp_path, env) as (_, log):
            first = log.read_text().splitlines()[0]

    with pytest.raises(json.JSONDecodeError):
        json.loads(first)
    assert " WARNING trunkql " in first  # the first-start notice about generated keys
