"""An administrator creates providers; every input rule refuses bad values and writes nothing."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.factories import PAYLOAD, create_provider, provider_input, stored_providers
from tests.graphql_client import GraphQLClient


async def test_create_returns_the_spec_fields_with_defaults(admin: GraphQLClient) -> None:
    provider = await create_provider(
        admin, techHeaders={"X-Custom-Header": "value"}, detail="main outbound carrier"
    )

    assert provider["name"] == "Telnyx Production"
    assert provider["type"] == "SIP"
    assert provider["hostname"] == "sip.telnyx.com"
    assert provider["techPrefix"] == ""
    assert provider["techPostfix"] == ""
    assert provider["techHeaders"] == {"X-Custom-Header": "value"}
    assert provider["codecs"] == ""
    assert provider["metadata"] == {}
    assert provider["healthStatus"] == "UNKNOWN"
    assert provider["healthCheckedAt"] is None
    assert provider["tmDelete"] is None
    created = datetime.fromisoformat(provider["tmCreate"])
    assert created.utcoffset() == timedelta(0)
    assert provider["tmUpdate"] == provider["tmCreate"]
    [row] = await stored_providers()
    assert str(row["id"]) == provider["id"]


async def test_create_normalises_name_hostname_and_codecs(admin: GraphQLClient) -> None:
    provider = await create_provider(
        admin, name="  Telnyx EU  ", hostname="SIP.Telnyx.COM:5060", codecs=" pcmu , PCMA "
    )

    assert provider["name"] == "Telnyx EU"
    assert provider["hostname"] == "sip.telnyx.com:5060"
    assert provider["codecs"] == "PCMU,PCMA"


async def test_the_id_from_create_reads_the_provider_back(admin: GraphQLClient) -> None:
    created = await create_provider(admin, techPrefix="1", techPostfix="@provider.com")

    response = await admin.execute(
        "query($id: ID!) { provider(id: $id) { id name techPrefix techPostfix } }",
        {"id": created["id"]},
    )

    assert response.data["provider"] == {
        "id": created["id"],
        "name": "Telnyx Production",
        "techPrefix": "1",
        "techPostfix": "@provider.com",
    }


# (input overrides, expected field path) — each must be refused with INVALID_ARGUMENT.
INVALID_INPUTS: list[tuple[dict[str, Any], list[str]]] = [
    ({"name": None}, ["input", "name"]),
    ({"name": "   "}, ["input", "name"]),
    ({"name": "x" * 256}, ["input", "name"]),
    ({"name": "bad\nname"}, ["input", "name"]),
    ({"name": "bad\x00name"}, ["input", "name"]),
    ({"name": "bad\u2028name"}, ["input", "name"]),  # line separators break lines too
    ({"name": "bad name\u2029"}, ["input", "name"]),
    ({"detail": "x" * 4097}, ["input", "detail"]),
    ({"detail": "carriage\rreturn"}, ["input", "detail"]),
    ({"hostname": None}, ["input", "hostname"]),
    ({"hostname": ""}, ["input", "hostname"]),
    ({"hostname": "sip:sip.telnyx.com"}, ["input", "hostname"]),
    ({"hostname": "user@sip.telnyx.com"}, ["input", "hostname"]),
    ({"hostname": "sip.telnyx.com/path"}, ["input", "hostname"]),
    ({"hostname": "sip telnyx.com"}, ["input", "hostname"]),
    ({"hostname": " sip.telnyx.com"}, ["input", "hostname"]),
    ({"hostname": "-bad.example.com"}, ["input", "hostname"]),
    ({"hostname": "sip.telnyx.com:0"}, ["input", "hostname"]),
    ({"hostname": "sip.telnyx.com:65536"}, ["input", "hostname"]),
    ({"hostname": "::1"}, ["input", "hostname"]),
    ({"hostname": "999.1.1.1"}, ["input", "hostname"]),
    ({"hostname": "\u0455ip.telnyx.com"}, ["input", "hostname"]),  # Cyrillic look-alike
    ({"techPrefix": "x" * 65}, ["input", "techPrefix"]),
    ({"techPrefix": "1 2"}, ["input", "techPrefix"]),
    ({"techPrefix": "1\r\n"}, ["input", "techPrefix"]),
    ({"techPrefix": "@host"}, ["input", "techPrefix"]),
    ({"techPostfix": "@bad host"}, ["input", "techPostfix"]),
    ({"techPostfix": "x" * 65}, ["input", "techPostfix"]),
    ({"techHeaders": ["X-A"]}, ["input", "techHeaders"]),
    ({"techHeaders": {"X-A": 1}}, ["input", "techHeaders", "X-A"]),
    ({"techHeaders": {"X-A": None}}, ["input", "techHeaders", "X-A"]),
    ({"techHeaders": {"X-A": "a\r\nVia: evil"}}, ["input", "techHeaders", "X-A"]),
    ({"techHeaders": {"X-A": "x" * 1025}}, ["input", "techHeaders", "X-A"]),
    ({"techHeaders": {"Bad Name": "v"}}, ["input", "techHeaders", "Bad Name"]),
    ({"techHeaders": {"via": "v"}}, ["input", "techHeaders", "via"]),
    (
        {"techHeaders": {"P-ASSERTED-IDENTITY": "v"}},
        ["input", "techHeaders", "P-ASSERTED-IDENTITY"],
    ),
    ({"techHeaders": {"X-A": "1", "x-a": "2"}}, ["input", "techHeaders", "x-a"]),
    ({"techHeaders": {f"X-H{i}": "v" for i in range(33)}}, ["input", "techHeaders"]),
    ({"codecs": "PCMU,,PCMA"}, ["input", "codecs"]),
    ({"codecs": "PCMU,"}, ["input", "codecs"]),
    ({"codecs": "PCMU,pcmu"}, ["input", "codecs"]),
    ({"codecs": "PCMU\r\n,PCMA"}, ["input", "codecs"]),
    ({"codecs": "PCMU(20)"}, ["input", "codecs"]),
    ({"codecs": "MP3"}, ["input", "codecs"]),
    ({"codecs": "PCMU," * 60 + "PCMA"}, ["input", "codecs"]),
    ({"metadata": [1, 2]}, ["input", "metadata"]),
    ({"metadata": "text"}, ["input", "metadata"]),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID_INPUTS, ids=lambda v: repr(v)[:60])
async def test_invalid_input_is_refused_and_nothing_is_written(
    admin: GraphQLClient, overrides: dict[str, Any], field: list[str]
) -> None:
    payload = await admin.mutate("createProvider", provider_input(**overrides), PAYLOAD)

    assert payload["provider"] is None
    assert [e["field"] for e in payload["userErrors"]] == [field]
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_ARGUMENT"]
    assert payload["userErrors"][0]["message"]
    assert await stored_providers() == []


async def test_every_problem_is_reported_at_once(admin: GraphQLClient) -> None:
    payload = await admin.mutate(
        "createProvider", {"name": "", "hostname": "bad host", "codecs": "MP3"}, PAYLOAD
    )

    assert sorted(e["field"][1] for e in payload["userErrors"]) == ["codecs", "hostname", "name"]
    assert await stored_providers() == []


async def test_missing_required_fields_are_invalid_argument(admin: GraphQLClient) -> None:
    payload = await admin.mutate("createProvider", {}, PAYLOAD)

    assert payload["userErrors"] == [
        {"field": ["input", "name"], "code": "INVALID_ARGUMENT", "message": "name is required"},
        {
            "field": ["input", "hostname"],
            "code": "INVALID_ARGUMENT",
            "message": "hostname is required",
        },
    ]
    assert await stored_providers() == []


ACCEPTED_VALUES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"hostname": "10.0.0.1:5080"}, {"hostname": "10.0.0.1:5080"}),
    ({"hostname": "[2001:DB8::1]:5061"}, {"hostname": "[2001:db8::1]:5061"}),
    ({"hostname": "localhost"}, {"hostname": "localhost"}),
    ({"techPrefix": "1"}, {"techPrefix": "1"}),
    ({"techPrefix": "*67"}, {"techPrefix": "*67"}),
    ({"techPostfix": "@provider.com"}, {"techPostfix": "@provider.com"}),
    ({"techPostfix": ";npdi"}, {"techPostfix": ";npdi"}),
    ({"codecs": "opus,ilbc,TELEPHONE-EVENT"}, {"codecs": "OPUS,iLBC,telephone-event"}),
    ({"codecs": "   "}, {"codecs": ""}),
    ({"codecs": "G729"}, {"codecs": "G729"}),
    ({"detail": "line one\nline two"}, {"detail": "line one\nline two"}),
    (
        {"techHeaders": {"X-Telnyx-Username": "user1", "X-Route": "eu\tpool"}},
        {"techHeaders": {"X-Telnyx-Username": "user1", "X-Route": "eu\tpool"}},
    ),
    ({"metadata": {"team": "voice", "tier": 1}}, {"metadata": {"team": "voice", "tier": 1}}),
]


@pytest.mark.parametrize(("overrides", "expected"), ACCEPTED_VALUES, ids=lambda v: repr(v)[:60])
async def test_valid_values_are_stored_in_canonical_form(
    admin: GraphQLClient, overrides: dict[str, Any], expected: dict[str, Any]
) -> None:
    provider = await create_provider(admin, **overrides)

    for key, value in expected.items():
        assert provider[key] == value
    [row] = await stored_providers()
    assert str(row["id"]) == provider["id"]
