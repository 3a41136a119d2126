"""checkProviderHealth over HTTP, against real UDP SIP peers on loopback."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.factories import create_provider, stored_providers
from tests.graphql_client import GraphQLClient
from tests.health.sip_responder import SipResponder, answer

CHECK = """
provider { id healthStatus healthCheckedAt healthLatencyMs healthLastError }
probe { reachable statusCode latencyMs error }
userErrors { field code message }
"""


@pytest.fixture
async def peer() -> AsyncIterator[SipResponder]:
    responder = await SipResponder(script=answer(200)).start()
    yield responder
    responder.close()


async def _check(admin: GraphQLClient, provider_id: str) -> dict[str, Any]:
    return await admin.mutate("checkProviderHealth", {"id": provider_id}, CHECK)


async def test_a_reachable_provider_becomes_healthy_after_two_good_probes(
    admin: GraphQLClient, peer: SipResponder
) -> None:
    provider = await create_provider(admin, hostname=peer.hostname)

    first = await _check(admin, provider["id"])
    second = await _check(admin, provider["id"])

    assert first["userErrors"] == []
    assert first["probe"]["reachable"] is True
    assert first["probe"]["statusCode"] == 200
    assert first["provider"]["healthStatus"] == "UNKNOWN"  # one success is not yet a trend
    assert second["provider"]["healthStatus"] == "HEALTHY"
    assert second["provider"]["healthCheckedAt"] is not None
    assert second["provider"]["healthLatencyMs"] >= 0
    assert second["provider"]["healthLastError"] is None
    assert [r.start_line.split()[0] for r in peer.received] == ["OPTIONS", "OPTIONS"]


async def test_a_503_three_times_makes_it_unhealthy(admin: GraphQLClient) -> None:
    peer = await SipResponder(script=answer(503)).start()
    try:
        provider = await create_provider(admin, hostname=peer.hostname)
        results = [await _check(admin, provider["id"]) for _ in range(3)]
    finally:
        peer.close()

    assert [r["provider"]["healthStatus"] for r in results] == ["UNKNOWN", "UNKNOWN", "UNHEALTHY"]
    assert results[-1]["probe"] == {
        "reachable": False,
        "statusCode": 503,
        "latencyMs": results[-1]["probe"]["latencyMs"],
        "error": results[-1]["probe"]["error"],
    }
    assert "503" in results[-1]["provider"]["healthLastError"]


async def test_unknown_deleted_and_malformed_ids(admin: GraphQLClient, peer: SipResponder) -> None:
    provider = await create_provider(admin, hostname=peer.hostname)
    await admin.mutate("deleteProvider", {"id": provider["id"]}, "userErrors { code }")

    deleted = await _check(admin, provider["id"])
    unknown = await _check(admin, "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    malformed = await _check(admin, "not-an-id")

    assert [e["code"] for e in deleted["userErrors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in unknown["userErrors"]] == ["NOT_FOUND"]
    assert [(e["field"], e["code"]) for e in malformed["userErrors"]] == [
        (["input", "id"], "INVALID_ARGUMENT")
    ]
    assert peer.received == []  # nothing probed for any of them


async def test_a_viewer_may_not_probe(
    admin: GraphQLClient, viewer: GraphQLClient, peer: SipResponder
) -> None:
    provider = await create_provider(admin, hostname=peer.hostname)
    before = await stored_providers()

    response = await viewer.execute(
        "mutation($id: ID!) { checkProviderHealth(input: {id: $id}) { userErrors { code } } }",
        {"id": provider["id"]},
    )

    assert response.error_codes == ["FORBIDDEN"]
    assert peer.received == []
    assert await stored_providers() == before
