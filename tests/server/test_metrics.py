"""/metrics: Prometheus text for token holders, with bounded labels only."""

import re

import httpx

from carriers.fake_telnyx import FakeTelnyx
from tests.conftest import TELNYX_KEY
from tests.factories import PAYLOAD, create_provider
from tests.graphql_client import GraphQLClient

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def _metrics(http: httpx.AsyncClient, token: str) -> str:
    reply = await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    return reply.text


def _value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in metrics")


async def test_metrics_need_a_token(http: httpx.AsyncClient) -> None:
    reply = await http.get("/metrics")

    assert reply.status_code == 401


async def test_operations_providers_and_carrier_calls_are_counted(
    admin: GraphQLClient, viewer: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    before = await _metrics(admin.http, viewer.token or "")
    created_before = (
        _value(
            before,
            'trunkql_graphql_operations_total{field="createProvider",operation_type="mutation",'
            'outcome="ok"}',
        )
        if "createProvider" in before
        else 0.0
    )

    await create_provider(admin)
    await create_provider(admin, name="second")
    await admin.mutate(
        "setupProvider", {"carrier": "TELNYX", "name": "Metered", "apiKey": TELNYX_KEY}, PAYLOAD
    )
    await admin.execute("{ providers(first: 500) { totalCount } }")  # refused: an error outcome
    text = await _metrics(admin.http, viewer.token or "")

    assert (
        _value(
            text,
            'trunkql_graphql_operations_total{field="createProvider",operation_type="mutation",'
            'outcome="ok"}',
        )
        == created_before + 2
    )
    assert (
        _value(
            text,
            'trunkql_graphql_operations_total{field="providers",operation_type="query",'
            'outcome="error"}',
        )
        >= 1
    )
    assert _value(text, 'trunkql_providers{health_status="UNKNOWN"}') == 3
    assert (
        _value(
            text,
            'trunkql_carrier_requests_total{carrier="telnyx",collection="balance",method="GET",'
            'outcome="2xx"}',
        )
        >= 1
    )
    assert 'trunkql_http_requests_total{method="POST",route="/graphql",status="200"}' in text
    assert "trunkql_graphql_execution_duration_seconds_bucket" in text
    # Bounded labels: no ids, no query text, no client operation names.
    assert not UUID.search(text)
    assert "totalCount" not in text
