"""Partial updates, codec updates and soft deletes."""

from typing import Any

import pytest

from tests.factories import PAYLOAD, create_provider, stored_providers
from tests.graphql_client import GraphQLClient

UNKNOWN_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


async def test_update_changes_only_the_given_fields(admin: GraphQLClient) -> None:
    created = await create_provider(
        admin, techPrefix="1", codecs="PCMU", techHeaders={"X-A": "a"}, detail="d"
    )

    payload = await admin.mutate(
        "updateProvider", {"id": created["id"], "name": "Renamed"}, PAYLOAD
    )

    assert payload["userErrors"] == []
    updated = payload["provider"]
    assert updated["name"] == "Renamed"
    for unchanged in ("techPrefix", "codecs", "techHeaders", "detail", "hostname", "tmCreate"):
        assert updated[unchanged] == created[unchanged]
    assert updated["tmUpdate"] > created["tmUpdate"]


async def test_update_can_clear_optional_fields(admin: GraphQLClient) -> None:
    created = await create_provider(admin, techPrefix="1", techHeaders={"X-A": "a"}, codecs="G729")

    payload = await admin.mutate(
        "updateProvider",
        {"id": created["id"], "techPrefix": "", "techHeaders": {}, "codecs": ""},
        PAYLOAD,
    )

    assert payload["userErrors"] == []
    assert payload["provider"]["techPrefix"] == ""
    assert payload["provider"]["techHeaders"] == {}
    assert payload["provider"]["codecs"] == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": None}, ["input", "name"]),
        ({"name": ""}, ["input", "name"]),
        ({"hostname": "http://sip.telnyx.com"}, ["input", "hostname"]),
        ({"codecs": "PCMU,,PCMA"}, ["input", "codecs"]),
        ({"techHeaders": {"Call-ID": "x"}}, ["input", "techHeaders", "Call-ID"]),
        ({"techHeaders": None}, ["input", "techHeaders"]),
        ({"metadata": None}, ["input", "metadata"]),
    ],
    ids=lambda v: repr(v)[:50],
)
async def test_invalid_update_changes_nothing(
    admin: GraphQLClient, changes: dict[str, Any], field: list[str]
) -> None:
    created = await create_provider(admin)
    before = await stored_providers()

    payload = await admin.mutate("updateProvider", {"id": created["id"], **changes}, PAYLOAD)

    assert payload["provider"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID_ARGUMENT")]
    assert await stored_providers() == before


async def test_changing_the_hostname_resets_health(admin: GraphQLClient) -> None:
    created = await create_provider(admin)
    from models.enums import HealthStatus
    from models.provider import Provider

    await Provider.filter(id=created["id"]).update(health_status=HealthStatus.HEALTHY)

    same = await admin.mutate(
        "updateProvider", {"id": created["id"], "hostname": "SIP.TELNYX.COM"}, PAYLOAD
    )
    assert same["provider"]["healthStatus"] == "HEALTHY"  # same host, same peer

    moved = await admin.mutate(
        "updateProvider", {"id": created["id"], "hostname": "sip.twilio.com"}, PAYLOAD
    )
    assert moved["provider"]["hostname"] == "sip.twilio.com"
    assert moved["provider"]["healthStatus"] == "UNKNOWN"
    assert moved["provider"]["healthCheckedAt"] is None


async def test_update_codecs_stores_the_canonical_list(admin: GraphQLClient) -> None:
    created = await create_provider(admin, name="keep me")

    payload = await admin.mutate(
        "updateCodecs", {"id": created["id"], "codecs": "pcma, pcmu ,g729"}, PAYLOAD
    )

    assert payload["userErrors"] == []
    assert payload["provider"]["codecs"] == "PCMA,PCMU,G729"
    assert payload["provider"]["name"] == "keep me"


async def test_update_codecs_refuses_unknown_codecs(admin: GraphQLClient) -> None:
    created = await create_provider(admin, codecs="PCMU")
    before = await stored_providers()

    payload = await admin.mutate(
        "updateCodecs", {"id": created["id"], "codecs": "PCMU,WAV"}, PAYLOAD
    )

    assert payload["userErrors"][0]["field"] == ["input", "codecs"]
    assert payload["userErrors"][0]["code"] == "INVALID_ARGUMENT"
    assert "PCMA" in payload["userErrors"][0]["message"]  # says what is allowed
    assert await stored_providers() == before


@pytest.mark.parametrize("mutation", ["updateProvider", "updateCodecs", "deleteProvider"])
async def test_unknown_id_is_not_found(admin: GraphQLClient, mutation: str) -> None:
    await create_provider(admin)
    before = await stored_providers()
    extra = {"codecs": "PCMU"} if mutation == "updateCodecs" else {}

    payload = await admin.mutate(mutation, {"id": UNKNOWN_ID, **extra}, PAYLOAD)

    assert payload["provider"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "id"], "NOT_FOUND")
    ]
    assert await stored_providers() == before


async def test_malformed_id_is_invalid_argument(admin: GraphQLClient) -> None:
    payload = await admin.mutate("updateProvider", {"id": "provider-uuid-123"}, PAYLOAD)

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "id"], "INVALID_ARGUMENT")
    ]


async def test_delete_is_soft_and_the_provider_stays_readable(admin: GraphQLClient) -> None:
    created = await create_provider(admin)

    payload = await admin.mutate("deleteProvider", {"id": created["id"]}, PAYLOAD)

    assert payload["userErrors"] == []
    assert payload["provider"]["tmDelete"] is not None
    response = await admin.execute(
        "query($id: ID!) { provider(id: $id) { id tmDelete } }", {"id": created["id"]}
    )
    assert response.data["provider"]["tmDelete"] == payload["provider"]["tmDelete"]
    listing = await admin.execute("{ providers { totalCount } }")
    assert listing.data["providers"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("mutation", "extra"),
    [
        ("deleteProvider", {}),
        ("updateProvider", {"name": "again"}),
        ("updateCodecs", {"codecs": "PCMA"}),
    ],
)
async def test_a_deleted_provider_cannot_be_changed_or_deleted_again(
    admin: GraphQLClient, mutation: str, extra: dict[str, Any]
) -> None:
    created = await create_provider(admin)
    await admin.mutate("deleteProvider", {"id": created["id"]}, PAYLOAD)
    before = await stored_providers()

    payload = await admin.mutate(mutation, {"id": created["id"], **extra}, PAYLOAD)

    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert await stored_providers() == before
