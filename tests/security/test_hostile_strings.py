"""Control characters, oversize values, reserved SIP headers and look-alike hostnames, in every
string field of every mutation: refused with INVALID_ARGUMENT at the field, nothing written."""

from typing import Any

import pytest

from carriers.fake_telnyx import FakeTelnyx
from tests.conftest import TELNYX_KEY
from tests.factories import PAYLOAD, create_provider, provider_input, stored_providers
from tests.graphql_client import GraphQLClient

CONTROL = {"CR": "\r", "LF": "\n", "NUL": "\x00", "CRLF-injection": "\r\nVia: SIP/2.0/UDP evil"}
# Fields whose values travel into SIP signalling or logs: no control character at all.
SIP_FIELDS = ["name", "hostname", "techPrefix", "techPostfix", "codecs"]


def _with(value: str, field: str) -> dict[str, Any]:
    base = {"hostname": "sip.telnyx.com", "techPrefix": "1", "techPostfix": "", "codecs": "PCMU"}
    return provider_input(**{**base, field: base.get(field, "Carrier") + value})


async def _refused(
    admin: GraphQLClient, mutation: str, input: dict[str, Any], field: list[str]
) -> None:
    before = await stored_providers()
    payload = await admin.mutate(mutation, input, PAYLOAD)
    assert payload[next(iter(payload))] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID_ARGUMENT")]
    assert await stored_providers() == before


@pytest.mark.parametrize("char", CONTROL.values(), ids=CONTROL.keys())
@pytest.mark.parametrize("field", SIP_FIELDS)
async def test_control_characters_in_create(admin: GraphQLClient, field: str, char: str) -> None:
    await _refused(admin, "createProvider", _with(char, field), ["input", field])


@pytest.mark.parametrize("char", ["\r", "\x00", "\x1b", "\x7f"], ids=["CR", "NUL", "ESC", "DEL"])
async def test_control_characters_in_detail(admin: GraphQLClient, char: str) -> None:
    # Line feeds and tabs are allowed in detail (a multi-line description); nothing else is.
    await _refused(admin, "createProvider", provider_input(detail=f"a{char}b"), ["input", "detail"])


@pytest.mark.parametrize("char", CONTROL.values(), ids=CONTROL.keys())
@pytest.mark.parametrize("field", SIP_FIELDS)
async def test_control_characters_in_update(admin: GraphQLClient, field: str, char: str) -> None:
    created = await create_provider(admin)
    update = {"id": created["id"], field: _with(char, field)[field]}
    await _refused(admin, "updateProvider", update, ["input", field])


@pytest.mark.parametrize("char", CONTROL.values(), ids=CONTROL.keys())
async def test_control_characters_in_update_codecs(admin: GraphQLClient, char: str) -> None:
    created = await create_provider(admin)
    await _refused(
        admin, "updateCodecs", {"id": created["id"], "codecs": f"PCMU{char}"}, ["input", "codecs"]
    )


@pytest.mark.parametrize("char", CONTROL.values(), ids=CONTROL.keys())
async def test_control_characters_in_header_names_and_values(
    admin: GraphQLClient, char: str
) -> None:
    bad_name = f"X-Evil{char}"
    await _refused(
        admin,
        "createProvider",
        provider_input(techHeaders={bad_name: "v"}),
        ["input", "techHeaders", bad_name],
    )
    await _refused(
        admin,
        "createProvider",
        provider_input(techHeaders={"X-Route": f"eu{char}"}),
        ["input", "techHeaders", "X-Route"],
    )


@pytest.mark.parametrize("char", CONTROL.values(), ids=CONTROL.keys())
@pytest.mark.parametrize("field", ["name", "apiKey", "idempotencyKey"])
async def test_control_characters_in_setup(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx, field: str, char: str
) -> None:
    values = {"carrier": "TELNYX", "name": "Carrier", "apiKey": TELNYX_KEY, "idempotencyKey": "k1"}
    values[field] += char
    await _refused(admin, "setupProvider", values, ["input", field])
    assert fake_telnyx.calls == []


OVERSIZE = {
    "name": "n" * 256,
    "detail": "d" * 4097,
    "hostname": ("a" * 63 + ".") * 4 + "com",
    "techPrefix": "1" * 65,
    "techPostfix": "2" * 65,
    "codecs": ",".join(["PCMU"] * 52),
}


@pytest.mark.parametrize("field", OVERSIZE)
async def test_oversize_values(admin: GraphQLClient, field: str) -> None:
    await _refused(
        admin, "createProvider", provider_input(**{field: OVERSIZE[field]}), ["input", field]
    )


async def test_oversize_header_name_value_and_count(admin: GraphQLClient) -> None:
    long_name = "X-" + "h" * 127
    await _refused(
        admin,
        "createProvider",
        provider_input(techHeaders={long_name: "v"}),
        ["input", "techHeaders", long_name],
    )
    await _refused(
        admin,
        "createProvider",
        provider_input(techHeaders={"X-Big": "v" * 1025}),
        ["input", "techHeaders", "X-Big"],
    )
    await _refused(
        admin,
        "createProvider",
        provider_input(techHeaders={f"X-{i}": "v" for i in range(33)}),
        ["input", "techHeaders"],
    )


async def test_oversize_metadata_and_setup_fields(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    await _refused(
        admin,
        "createProvider",
        provider_input(metadata={"blob": "x" * 20000}),
        ["input", "metadata"],
    )
    values = {"carrier": "TELNYX", "name": "n" * 256, "apiKey": TELNYX_KEY}
    await _refused(admin, "setupProvider", values, ["input", "name"])
    values = {"carrier": "TELNYX", "name": "ok", "apiKey": "K" * 513}
    await _refused(admin, "setupProvider", values, ["input", "apiKey"])
    assert fake_telnyx.calls == []


RESERVED = [
    "Via", "via", "VIA", "v", "From", "f", "To", "t", "Call-ID", "call-id", "i", "CSeq", "cseq",
    "Contact", "m", "Max-Forwards", "Content-Length", "l", "Content-Type", "c", "Route",
    "Record-Route", "P-Asserted-Identity", "p-asserted-identity", "Privacy", "Authorization",
    "Proxy-Authorization",
]  # fmt: skip


@pytest.mark.parametrize("name", RESERVED)
async def test_reserved_sip_headers_in_any_case(admin: GraphQLClient, name: str) -> None:
    await _refused(
        admin,
        "createProvider",
        provider_input(techHeaders={name: "x"}),
        ["input", "techHeaders", name],
    )


LOOKALIKES = {
    "cyrillic s": "\u0455ip.telnyx.com",
    "greek omicron": "sip.telnyx.c\u03bfm",
    "fullwidth dot": "sip\uff0etelnyx.com",
    "zero-width space": "sip.tel\u200bnyx.com",
    "right-to-left override": "sip.\u202etelnyx.com",
    "soft hyphen": "sip.tel\u00adnyx.com",
    "tab": "sip.telnyx.com\t",
    "bell": "sip.telnyx\x07.com",
    "percent-encoded": "sip%2Etelnyx.com",
}


@pytest.mark.parametrize("hostname", LOOKALIKES.values(), ids=LOOKALIKES.keys())
async def test_hostname_look_alikes_and_controls(admin: GraphQLClient, hostname: str) -> None:
    await _refused(
        admin, "createProvider", provider_input(hostname=hostname), ["input", "hostname"]
    )


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"note": "a\x00b"}, ["input", "metadata", "note"]),
        ({"k\x00": "v"}, ["input", "metadata"]),
        ({"list": ["ok", "\x00"]}, ["input", "metadata", "list", "1"]),
    ],
    ids=["value", "key", "nested"],
)
async def test_nul_in_metadata_is_refused(
    admin: GraphQLClient, metadata: dict[str, Any], field: list[str]
) -> None:
    # JSON allows U+0000 but PostgreSQL cannot store it: refused on both databases alike.
    await _refused(admin, "createProvider", provider_input(metadata=metadata), field)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ('{ providers(filter: {nameContains: "a\\u0000"}) { totalCount } }', "nameContains"),
        ('{ providers(filter: {hostname: "h\\u0000"}) { totalCount } }', "hostname"),
        ('{ routes(filter: {target: "+1\\u0000"}) { totalCount } }', "target"),
    ],
    ids=["nameContains", "hostname", "route target"],
)
async def test_nul_in_a_filter_is_invalid_argument(
    admin: GraphQLClient, query: str, field: str
) -> None:
    response = await admin.execute(query)

    assert response.error_codes == ["INVALID_ARGUMENT"]
    assert response.errors[0]["extensions"]["field"] == ["filter", field]
