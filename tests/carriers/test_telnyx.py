"""TelnyxCarrier against the fake Telnyx over real loopback HTTP: no mocks, no patching."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from carriers.base import (
    Carrier,
    CarrierCleanupFailed,
    CarrierCredentialsRejected,
    CarrierError,
    CarrierRequestRejected,
    CarrierResource,
    CarrierUnavailable,
    record_progress,
    rollback_resources,
    to_roll_back,
)
from carriers.fake_telnyx import FakeTelnyx, Fault, mask_key
from carriers.telnyx import TelnyxCarrier, make_sip_username
from tests.carriers.conftest import (
    ALL_KEYS,
    KEY_BAD,
    KEY_NO_CONN,
    KEY_OK,
    MAX_ATTEMPTS,
    REQUEST_TIMEOUT,
)

BALANCE = "/v2/balance"
PROFILES = "/v2/outbound_voice_profiles"
CONNECTIONS = "/v2/credential_connections"


class Recorder:
    """An on_created callback that keeps what exists (or may), as the setup service does, and
    everything it was told, in order."""

    def __init__(self) -> None:
        self.resources: list[CarrierResource] = []
        self.told: list[CarrierResource] = []

    async def __call__(self, resource: CarrierResource) -> None:
        self.told.append(resource)
        self.resources = record_progress(self.resources, resource)


def _paths(fake: FakeTelnyx) -> list[tuple[str, str]]:
    return [(c.method, c.path) for c in fake.calls]


# --------------------------------------------------------------------------- success


async def test_create_trunk_creates_reports_and_returns_everything(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    recorder = Recorder()

    result = await carrier.create_trunk(KEY_OK, "Acme Corp", recorder)

    profile_res, conn_res = result.resources
    assert recorder.resources == [profile_res, conn_res]
    # Each was announced by name before its create was sent, then reported with its id.
    assert [(r.kind, r.id) for r in recorder.told] == [
        ("outbound_voice_profile", None),
        ("outbound_voice_profile", profile_res.id),
        ("credential_connection", None),
        ("credential_connection", conn_res.id),
    ]
    assert (profile_res.kind, conn_res.kind) == ("outbound_voice_profile", "credential_connection")
    assert profile_res.id is not None
    assert profile_res.id.isdigit()
    assert conn_res.id is not None
    assert conn_res.id.isdigit()
    assert re.fullmatch(r"trunkql Acme Corp [a-z0-9]{8}", profile_res.name)
    assert conn_res.name == profile_res.name

    profile = fake.outbound_voice_profiles[profile_res.id]
    conn = fake.credential_connections[conn_res.id]
    assert profile["name"] == profile_res.name
    assert conn["connection_name"] == conn_res.name
    assert conn["outbound"]["outbound_voice_profile_id"] == profile_res.id
    assert conn["inbound"]["ani_number_format"] == "+E.164"
    assert conn["inbound"]["dnis_number_format"] == "+e164"
    assert conn["active"] is True

    assert result.hostname == "sip.telnyx.com"
    assert result.sip_username == conn["user_name"]
    assert result.sip_username.startswith("acmecorp")
    assert result.sip_password == conn["password"]
    assert re.fullmatch(r"[A-Za-z0-9]{24}", result.sip_password)
    assert result.metadata == {
        "carrier": "telnyx",
        "connection_id": conn_res.id,
        "connection_name": conn_res.name,
        "outbound_voice_profile_id": profile_res.id,
        "outbound_voice_profile_name": profile_res.name,
        "sip_username": result.sip_username,
    }
    assert result.tech_headers == {"X-Telnyx-Username": result.sip_username}
    assert result.sip_password not in repr(result)

    # No lookups or retries on the happy path, and the key went out as a Bearer token.
    assert _paths(fake) == [("GET", BALANCE), ("POST", PROFILES), ("POST", CONNECTIONS)]
    assert {c.key for c in fake.calls} == {mask_key(KEY_OK)}


async def test_two_trunks_with_the_same_name_get_distinct_resources(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    first = await carrier.create_trunk(KEY_OK, "same")
    second = await carrier.create_trunk(KEY_OK, "same")

    assert first.resources[0].name != second.resources[0].name
    assert first.sip_username != second.sip_username
    assert first.sip_password != second.sip_password
    assert len(fake.outbound_voice_profiles) == 2
    assert len(fake.credential_connections) == 2


async def test_validate_key_accepts_a_valid_key(carrier: TelnyxCarrier, fake: FakeTelnyx) -> None:
    await carrier.validate_key(KEY_OK)
    assert _paths(fake) == [("GET", BALANCE)]


# --------------------------------------------------------------------------- credentials


async def test_invalid_key_is_rejected_without_retries(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    with pytest.raises(CarrierCredentialsRejected, match="authentication failed") as info:
        await carrier.validate_key(KEY_BAD)
    assert info.value.carrier == "telnyx"
    assert _paths(fake) == [("GET", BALANCE)]


async def test_create_trunk_with_invalid_key_creates_nothing(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    recorder = Recorder()
    with pytest.raises(CarrierCredentialsRejected):
        await carrier.create_trunk(KEY_BAD, "acme", recorder)
    assert recorder.resources == []
    assert fake.outbound_voice_profiles == {}
    assert _paths(fake) == [("GET", BALANCE)]


async def test_malformed_key_is_rejected_before_any_request(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    with pytest.raises(CarrierCredentialsRejected, match="malformed"):
        await carrier.validate_key("KEY with\r\nInjected: header")
    assert fake.calls == []


async def test_key_forbidden_for_connections_fails_step_3_after_reporting_the_profile(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    recorder = Recorder()

    with pytest.raises(CarrierCredentialsRejected, match="credential connection") as info:
        await carrier.create_trunk(KEY_NO_CONN, "acme", recorder)

    assert "not permitted" in info.value.message
    # The connection was announced by name before its create was sent; it never came to exist.
    profile, announced = recorder.resources
    assert profile.kind == "outbound_voice_profile"
    assert (announced.kind, announced.id) == ("credential_connection", None)
    assert set(fake.outbound_voice_profiles) == {profile.id}
    assert fake.credential_connections == {}
    assert fake.calls_to("POST", CONNECTIONS) == 1  # a 403 is final: no retry

    # The refused connection is marked as never made; the caller rolls back the rest.
    assert info.value.not_created == announced
    await rollback_resources(carrier, KEY_NO_CONN, to_roll_back(recorder.resources, info.value))
    assert fake.outbound_voice_profiles == {}


# --------------------------------------------------------------------------- 4xx


async def test_422_on_profile_create_is_request_rejected_with_field(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("outbound_voice_profiles", "POST", Fault.rejected("name is too long", "/name"))
    recorder = Recorder()

    with pytest.raises(CarrierRequestRejected) as info:
        await carrier.create_trunk(KEY_OK, "acme", recorder)

    assert info.value.field == "name"
    assert "name is too long" in info.value.message
    assert "10015" in info.value.message
    [announced] = recorder.resources  # by name only: the carrier refused to create it
    assert announced.id is None
    assert fake.outbound_voice_profiles == {}
    assert fake.calls_to("POST", PROFILES) == 1  # a 422 is final: no retry


async def test_422_on_connection_create_names_the_nested_field(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject(
        "credential_connections",
        "POST",
        Fault.rejected("bad profile", "/outbound/outbound_voice_profile_id"),
    )
    recorder = Recorder()

    with pytest.raises(CarrierRequestRejected) as info:
        await carrier.create_trunk(KEY_OK, "acme", recorder)

    assert info.value.field == "outbound.outbound_voice_profile_id"
    assert [(r.kind, r.id is None) for r in recorder.resources] == [
        ("outbound_voice_profile", False),
        ("credential_connection", True),
    ]
    assert fake.credential_connections == {}


# --------------------------------------------------------------------------- retries


async def test_5xx_on_balance_then_success_is_retried(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("balance", "GET", Fault.server_error(500))
    await carrier.validate_key(KEY_OK)
    assert fake.calls_to("GET", BALANCE) == 2


async def test_5xx_on_create_then_success_makes_exactly_one_resource(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("credential_connections", "POST", Fault.server_error(503))

    result = await carrier.create_trunk(KEY_OK, "acme")

    assert set(fake.credential_connections) == {result.resources[1].id}
    assert fake.calls_to("POST", CONNECTIONS) == 2
    # A 5xx can follow a committed create, so the adapter looked before it retried.
    assert fake.calls_to("GET", CONNECTIONS) == 1


async def test_429_honours_rate_limit_reset_and_does_not_look_up(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("outbound_voice_profiles", "POST", Fault.rate_limited(reset=0.4))

    started = time.monotonic()
    result = await carrier.create_trunk(KEY_OK, "acme")
    elapsed = time.monotonic() - started

    # backoff_base is 0.01, so only the header can explain a wait this long.
    assert elapsed >= 0.4
    assert set(fake.outbound_voice_profiles) == {result.resources[0].id}
    assert fake.calls_to("POST", PROFILES) == 2
    assert fake.calls_to("GET", PROFILES) == 0  # a 429 is a definite "not created"


async def test_429_retry_after_takes_precedence_over_reset(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("balance", "GET", Fault.rate_limited(reset=0.9, retry_after=0.05))
    started = time.monotonic()
    await carrier.validate_key(KEY_OK)
    assert time.monotonic() - started < 0.6


async def test_429_wait_is_capped_at_backoff_max(carrier: TelnyxCarrier, fake: FakeTelnyx) -> None:
    fake.inject("balance", "GET", Fault.rate_limited(reset=30))
    started = time.monotonic()
    await carrier.validate_key(KEY_OK)
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 3.0  # backoff_max is 1.0 in the fixture


async def test_persistent_5xx_is_unavailable_after_max_attempts(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("balance", "GET", Fault.server_error(502), times=10)

    with pytest.raises(CarrierUnavailable, match="502"):
        await carrier.validate_key(KEY_OK)

    assert fake.calls_to("GET", BALANCE) == MAX_ATTEMPTS


async def test_persistent_5xx_on_create_gives_up_without_duplicates(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("outbound_voice_profiles", "POST", Fault.server_error(500), times=10)
    recorder = Recorder()

    with pytest.raises(CarrierUnavailable):
        await carrier.create_trunk(KEY_OK, "acme", recorder)

    # A 5xx may come after the create happened: the caller hears of it by name, to look for it.
    [maybe] = recorder.resources
    assert (maybe.kind, maybe.id) == ("outbound_voice_profile", None)
    assert maybe.name.startswith("trunkql acme ")
    assert fake.outbound_voice_profiles == {}
    assert fake.calls_to("POST", PROFILES) == MAX_ATTEMPTS
    assert fake.calls_to("GET", PROFILES) == MAX_ATTEMPTS


async def test_delay_longer_than_request_timeout_is_unavailable(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("balance", "GET", Fault.delay(2.0), times=MAX_ATTEMPTS)

    started = time.monotonic()
    with pytest.raises(CarrierUnavailable, match="timeout"):
        await carrier.validate_key(KEY_OK)
    elapsed = time.monotonic() - started

    assert fake.calls_to("GET", BALANCE) == MAX_ATTEMPTS
    # Each attempt was cut at request_timeout instead of waiting for the 2 s answer.
    assert elapsed < MAX_ATTEMPTS * REQUEST_TIMEOUT + 1.5


async def test_one_slow_answer_is_retried(carrier: TelnyxCarrier, fake: FakeTelnyx) -> None:
    fake.inject("balance", "GET", Fault.delay(2.0))
    await carrier.validate_key(KEY_OK)
    assert fake.calls_to("GET", BALANCE) == 2


async def test_operation_timeout_gives_up_instead_of_waiting_past_it(
    session: aiohttp.ClientSession, base_url: str, fake: FakeTelnyx
) -> None:
    carrier = TelnyxCarrier(
        session, base_url, request_timeout=0.3, backoff_base=0.01, operation_timeout=0.5
    )
    fake.inject("balance", "GET", Fault.rate_limited(reset=2))

    started = time.monotonic()
    with pytest.raises(CarrierUnavailable, match="deadline"):
        await carrier.validate_key(KEY_OK)

    assert time.monotonic() - started < 0.5
    assert fake.calls_to("GET", BALANCE) == 1


# --------------------------------------------------------------------------- lost answers


@pytest.mark.parametrize(
    ("endpoint", "fault"),
    [
        ("outbound_voice_profiles", Fault.apply_then_delay(2.0)),
        ("outbound_voice_profiles", Fault.apply_then_drop()),
        ("credential_connections", Fault.apply_then_delay(2.0)),
        ("credential_connections", Fault.apply_then_drop()),
    ],
)
async def test_create_whose_answer_is_lost_is_found_by_name_not_repeated(
    carrier: TelnyxCarrier, fake: FakeTelnyx, endpoint: str, fault: Fault
) -> None:
    fake.inject(endpoint, "POST", fault)
    recorder = Recorder()

    result = await carrier.create_trunk(KEY_OK, "acme", recorder)

    path = f"/v2/{endpoint}"
    assert fake.calls_to("POST", path) == 1  # never re-posted: the lookup found it
    assert fake.calls_to("GET", path) == 1
    assert len(fake.outbound_voice_profiles) == 1
    assert len(fake.credential_connections) == 1
    profile_res, conn_res = result.resources
    assert recorder.resources == [profile_res, conn_res]
    assert set(fake.outbound_voice_profiles) == {profile_res.id}
    assert set(fake.credential_connections) == {conn_res.id}
    assert conn_res.id is not None
    assert result.sip_password == fake.credential_connections[conn_res.id]["password"]


async def test_timeout_after_create_on_both_creates_every_time_still_one_each(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("outbound_voice_profiles", "POST", Fault.apply_then_delay(2.0), times=10)
    fake.inject("credential_connections", "POST", Fault.apply_then_delay(2.0), times=10)

    result = await carrier.create_trunk(KEY_OK, "acme")

    assert set(fake.outbound_voice_profiles) == {result.resources[0].id}
    assert set(fake.credential_connections) == {result.resources[1].id}
    assert fake.calls_to("POST", PROFILES) == 1
    assert fake.calls_to("POST", CONNECTIONS) == 1


async def test_dropped_create_that_did_not_happen_is_retried_once(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("outbound_voice_profiles", "POST", Fault.drop())

    result = await carrier.create_trunk(KEY_OK, "acme")

    assert set(fake.outbound_voice_profiles) == {result.resources[0].id}
    assert fake.calls_to("POST", PROFILES) == 2
    assert fake.calls_to("GET", PROFILES) == 1


async def test_ambiguous_create_with_failing_lookup_says_it_may_exist(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    fake.inject("outbound_voice_profiles", "POST", Fault.apply_then_drop())
    fake.inject("outbound_voice_profiles", "GET", Fault.server_error(500), times=10)

    with pytest.raises(CarrierUnavailable, match="may exist") as info:
        await carrier.create_trunk(KEY_OK, "acme")

    [profile] = fake.outbound_voice_profiles.values()
    assert profile["name"] in info.value.message


# --------------------------------------------------------------------------- delete


async def test_delete_removes_resources_and_missing_ones_are_fine(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    result = await carrier.create_trunk(KEY_OK, "acme")
    profile_res, conn_res = result.resources

    await carrier.delete_resource(KEY_OK, conn_res)
    await carrier.delete_resource(KEY_OK, profile_res)
    assert fake.outbound_voice_profiles == {}
    assert fake.credential_connections == {}

    # Already gone: Telnyx answers 404, which counts as deleted.
    await carrier.delete_resource(KEY_OK, conn_res)
    await carrier.delete_resource(KEY_OK, profile_res)
    assert fake.calls_to("DELETE", f"{CONNECTIONS}/{conn_res.id}") == 2
    assert fake.calls_to("DELETE", f"{PROFILES}/{profile_res.id}") == 2


async def test_delete_with_invalid_key_is_cleanup_failed_with_cause(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    result = await carrier.create_trunk(KEY_OK, "acme")
    conn_res = result.resources[1]

    with pytest.raises(CarrierCleanupFailed) as info:
        await carrier.delete_resource(KEY_BAD, conn_res)

    assert info.value.resources == [conn_res]
    assert isinstance(info.value.cause, CarrierCredentialsRejected)
    assert conn_res.id in fake.credential_connections


async def test_delete_persistent_5xx_is_cleanup_failed_after_retries(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    result = await carrier.create_trunk(KEY_OK, "acme")
    profile_res = result.resources[0]
    fake.inject("outbound_voice_profiles", "DELETE", Fault.server_error(503), times=10)

    with pytest.raises(CarrierCleanupFailed) as info:
        await carrier.delete_resource(KEY_OK, profile_res)

    assert isinstance(info.value.cause, CarrierUnavailable)
    assert fake.calls_to("DELETE", f"{PROFILES}/{profile_res.id}") == MAX_ATTEMPTS


async def test_rollback_deletes_in_reverse_and_reports_what_is_left(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    result = await carrier.create_trunk(KEY_OK, "acme")
    profile_res, conn_res = result.resources
    fake.calls.clear()
    fake.inject("credential_connections", "DELETE", Fault.server_error(500), times=10)

    with pytest.raises(CarrierCleanupFailed) as info:
        await rollback_resources(carrier, KEY_OK, result.resources)

    assert info.value.resources == [conn_res]
    deletes = [c.path for c in fake.calls if c.method == "DELETE"]
    assert deletes[0] == f"{CONNECTIONS}/{conn_res.id}"
    assert deletes[-1] == f"{PROFILES}/{profile_res.id}"
    assert fake.outbound_voice_profiles == {}  # kept going after the first failure
    assert set(fake.credential_connections) == {conn_res.id}


async def test_rollback_succeeds_when_everything_deletes(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    result = await carrier.create_trunk(KEY_OK, "acme")
    fake.calls.clear()

    await rollback_resources(carrier, KEY_OK, result.resources)

    assert [c.path for c in fake.calls] == [
        f"{CONNECTIONS}/{result.resources[1].id}",
        f"{PROFILES}/{result.resources[0].id}",
    ]
    assert fake.outbound_voice_profiles == {}
    assert fake.credential_connections == {}


# --------------------------------------------------------------------------- secrets


async def test_api_keys_never_appear_in_errors_reprs_or_logs(
    carrier: TelnyxCarrier, fake: FakeTelnyx, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[CarrierError] = []

    async def expect_error(action: Callable[[], Awaitable[object]]) -> None:
        with pytest.raises(CarrierError) as info:
            await action()
        errors.append(info.value)

    await expect_error(lambda: carrier.validate_key(KEY_BAD))
    await expect_error(lambda: carrier.create_trunk(KEY_NO_CONN, "acme"))
    # A carrier that echoes the key in its detail must not get it through to the client.
    fake.inject("outbound_voice_profiles", "POST", Fault.rejected(f"bad key {KEY_OK}", "/name"))
    await expect_error(lambda: carrier.create_trunk(KEY_OK, "acme"))
    fake.inject("balance", "GET", Fault.delay(2.0), times=MAX_ATTEMPTS)
    await expect_error(lambda: carrier.validate_key(KEY_OK))
    fake.inject("outbound_voice_profiles", "POST", Fault.drop(), times=MAX_ATTEMPTS)
    await expect_error(lambda: carrier.create_trunk(KEY_OK, "acme"))
    fake.inject("balance", "GET", Fault.server_error(500), times=MAX_ATTEMPTS)
    await expect_error(lambda: carrier.validate_key(KEY_OK))
    result = await carrier.create_trunk(KEY_OK, "acme")
    await expect_error(lambda: carrier.delete_resource(KEY_BAD, result.resources[1]))
    await expect_error(lambda: rollback_resources(carrier, KEY_BAD, result.resources))

    assert len(errors) == 8
    texts = [repr(carrier), repr(fake), repr(result), repr(fake.calls), caplog.text]
    for error in errors:
        texts += [str(error), repr(error), error.message]
        texts.append("".join(traceback.format_exception(error)))
        if isinstance(error, CarrierCleanupFailed) and error.cause is not None:
            texts += [str(error.cause), repr(error.cause)]
    texts += [str(record.args) for record in caplog.records]
    assert caplog.records, "the adapter and fake should have logged something"
    for text in texts:
        for key in ALL_KEYS:
            assert key not in text
        assert result.sip_password not in text
    assert "[redacted]" in errors[2].message


# --------------------------------------------------------------------------- user names


@pytest.mark.parametrize(
    ("trunk_name", "prefix"),
    [
        ("Acme Corp", "acmecorp"),
        ("", ""),
        ("12345678", "t12345678"),
        ("1234a", "1234a"),
        ("Ünïcödé straße", "ncdstrae"),
        ("x" * 100, "x" * 23),
        ("!!!", ""),
        ("Büro 42 / München", "bro42mnchen"),
    ],
)
def test_make_sip_username_follows_telnyx_rules(trunk_name: str, prefix: str) -> None:
    username = make_sip_username(trunk_name)
    assert re.fullmatch(r"[a-z0-9]{4,32}", username)
    assert any(ch.isalpha() for ch in username[:5])
    assert username.startswith(prefix)


def test_make_sip_username_is_unique_per_call() -> None:
    names = {make_sip_username("acme") for _ in range(200)}
    assert len(names) == 200


def test_telnyx_carrier_satisfies_the_carrier_protocol(carrier: TelnyxCarrier) -> None:
    as_protocol: Carrier = carrier  # mypy checks the structural match
    assert as_protocol.name == "telnyx"


# --------------------------------------------------------------------------- the fake itself


async def _request(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    key: str | None = KEY_OK,
    body: object = None,
) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with session.request(method, url, json=body, headers=headers) as resp:
        # Lower-cased: HTTP header names are case-insensitive.
        headers_out = {k.lower(): v for k, v in resp.headers.items()}
        return resp.status, headers_out, await resp.json()


async def test_fake_error_bodies_have_telnyx_shape(
    session: aiohttp.ClientSession, base_url: str
) -> None:
    status, _, body = await _request(session, "GET", f"{base_url}/balance", key=KEY_BAD)
    assert status == 401
    assert body == {
        "errors": [
            {
                "code": "10009",
                "title": "Authentication failed",
                "detail": "The required authentication headers were either invalid or not "
                "included in the request.",
                "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10009"},
            }
        ]
    }
    status, _, body = await _request(session, "GET", f"{base_url}/balance", key=None)
    assert (status, body["errors"][0]["code"]) == (401, "10009")
    status, _, body = await _request(
        session, "POST", f"{base_url}/credential_connections", key=KEY_NO_CONN, body={}
    )
    assert (status, body["errors"][0]["code"]) == (403, "10010")
    status, _, body = await _request(session, "DELETE", f"{base_url}/outbound_voice_profiles/1")
    assert (status, body["errors"][0]["code"]) == (404, "10005")
    status, _, body = await _request(session, "GET", f"{base_url}/no_such_thing")
    assert (status, body["errors"][0]["code"]) == (404, "10005")


async def test_fake_balance_and_create_envelopes(
    session: aiohttp.ClientSession, base_url: str
) -> None:
    status, headers, body = await _request(session, "GET", f"{base_url}/balance")
    assert status == 200
    assert body["data"]["record_type"] == "balance"
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(headers)
    status, _, body = await _request(
        session, "POST", f"{base_url}/outbound_voice_profiles", body={"name": "p1"}
    )
    assert status == 200  # Telnyx documents 200 for this create
    profile = body["data"]
    assert profile["record_type"] == "outbound_voice_profile"
    assert profile["id"].isdigit()
    assert profile["created_at"].endswith("Z")
    status, _, body = await _request(
        session,
        "POST",
        f"{base_url}/credential_connections",
        body={
            "connection_name": "c1",
            "user_name": "abcd1234",
            "password": "Secret1234",
            "outbound": {"outbound_voice_profile_id": profile["id"]},
        },
    )
    assert status == 201
    assert body["data"]["record_type"] == "credential_connection"
    status, _, body = await _request(
        session, "GET", f"{base_url}/outbound_voice_profiles/{profile['id']}"
    )
    assert body["data"]["connections_count"] == 1


@pytest.mark.parametrize(
    ("path", "body", "code", "pointer"),
    [
        ("outbound_voice_profiles", {}, "10004", "/name"),
        ("outbound_voice_profiles", {"name": "  "}, "10015", "/name"),
        ("credential_connections", {"user_name": "abcd1234", "password": "x" * 8}, "10004",
         "/connection_name"),
        ("credential_connections",
         {"connection_name": "c", "user_name": "ab-cd", "password": "x" * 8}, "10015",
         "/user_name"),
        ("credential_connections",
         {"connection_name": "c", "user_name": "12345abc", "password": "x" * 8}, "10015",
         "/user_name"),
        ("credential_connections",
         {"connection_name": "c", "user_name": "abcd1234", "password": "short"}, "10015",
         "/password"),
        ("credential_connections",
         {"connection_name": "c", "user_name": "abcd1234", "password": "x" * 8,
          "outbound": {"outbound_voice_profile_id": "999"}}, "10017",
         "/outbound/outbound_voice_profile_id"),
        ("credential_connections",
         {"connection_name": "c", "user_name": "abcd1234", "password": "x" * 8,
          "inbound": {"ani_number_format": "+e164"}}, "10015", "/inbound/ani_number_format"),
    ],
)  # fmt: skip
async def test_fake_rejects_bad_create_bodies_with_422(
    session: aiohttp.ClientSession,
    base_url: str,
    fake: FakeTelnyx,
    path: str,
    body: dict[str, object],
    code: str,
    pointer: str,
) -> None:
    status, _, reply = await _request(session, "POST", f"{base_url}/{path}", body=body)
    assert status == 422
    [error] = reply["errors"]
    assert error["code"] == code
    assert error["source"] == {"pointer": pointer}
    assert fake.outbound_voice_profiles == {}
    assert fake.credential_connections == {}


async def test_fake_rejects_duplicate_connection_names_and_user_names(
    session: aiohttp.ClientSession, base_url: str, fake: FakeTelnyx
) -> None:
    url = f"{base_url}/credential_connections"
    first = {"connection_name": "dup", "user_name": "abcd1234", "password": "x" * 8}
    assert (await _request(session, "POST", url, body=first))[0] == 201
    same_name = {**first, "user_name": "other123"}
    status, _, reply = await _request(session, "POST", url, body=same_name)
    assert (status, reply["errors"][0]["source"]["pointer"]) == (422, "/connection_name")
    same_user = {**first, "connection_name": "other", "user_name": "ABCD1234"}
    status, _, reply = await _request(session, "POST", url, body=same_user)
    assert (status, reply["errors"][0]["source"]["pointer"]) == (422, "/user_name")
    assert len(fake.credential_connections) == 1


async def test_fake_list_filters_and_pagination(
    session: aiohttp.ClientSession, base_url: str
) -> None:
    url = f"{base_url}/outbound_voice_profiles"
    for name in ("alpha one", "Alpha two", "beta"):
        await _request(session, "POST", url, body={"name": name})
    status, _, body = await _request(
        session, "GET", f"{url}?filter[name][contains]=ALPHA&page[size]=1"
    )
    assert status == 200
    assert [r["name"] for r in body["data"]] == ["Alpha two"]  # newest first
    assert body["meta"] == {"page_number": 1, "page_size": 1, "total_pages": 2, "total_results": 2}
    status, _, body = await _request(
        session, "GET", f"{base_url}/credential_connections?filter[connection_name][contains]=ab"
    )
    assert status == 422  # Telnyx: "Requires at least three characters."
    status, _, body = await _request(session, "GET", f"{url}?page[size]=251")
    assert status == 422


async def test_fake_on_call_targets_the_nth_call(
    session: aiohttp.ClientSession, base_url: str, fake: FakeTelnyx
) -> None:
    fake.inject("balance", "GET", Fault.rate_limited(reset=7), on_call=2)
    statuses = []
    for _ in range(3):
        status, headers, body = await _request(session, "GET", f"{base_url}/balance")
        statuses.append(status)
        if status == 429:
            assert body["errors"][0]["code"] == "10011"
            assert headers["x-ratelimit-remaining"] == "0"
            assert headers["x-ratelimit-reset"] == "7"
    assert statuses == [200, 429, 200]


async def test_fake_http_controls(
    session: aiohttp.ClientSession, base_url: str, fake: FakeTelnyx
) -> None:
    root = base_url.removesuffix("/v2")
    fault = {"endpoint": "balance", "method": "GET", "fault": {"kind": "status", "status": 503}}
    async with session.post(f"{root}/_fake/faults", json=fault) as resp:
        assert resp.status == 201
    async with session.post(f"{root}/_fake/faults", json={"endpoint": "nope"}) as resp:
        assert resp.status == 400
    assert (await _request(session, "GET", f"{base_url}/balance"))[0] == 503
    await _request(session, "POST", f"{base_url}/outbound_voice_profiles", body={"name": "p"})

    async with session.get(f"{root}/_fake/state") as resp:
        state = await resp.json()
    assert len(state["outbound_voice_profiles"]) == 1
    assert state["calls"][0] == ["GET", "/v2/balance", mask_key(KEY_OK)]
    assert KEY_OK not in json.dumps(state)

    async with session.post(f"{root}/_fake/reset") as resp:
        assert resp.status == 200
    assert fake.outbound_voice_profiles == {}
    assert fake.calls == []


async def test_run_fake_telnyx_serves_out_of_process(session: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (
        "from carriers.fake_telnyx import run_fake_telnyx; "
        f"run_fake_telnyx('127.0.0.1', {port}, valid_keys=[{KEY_OK!r}])"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=20)).decode()
        assert f"http://127.0.0.1:{port}/v2" in line
        assert KEY_OK not in line
        carrier = TelnyxCarrier(session, f"http://127.0.0.1:{port}/v2", backoff_base=0.01)
        result = await carrier.create_trunk(KEY_OK, "out of process")
        await rollback_resources(carrier, KEY_OK, result.resources)
    finally:
        proc.terminate()
        await proc.wait()


async def test_a_create_cut_off_by_the_callers_deadline_is_reported_and_deleted_by_name(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    # The carrier makes the profile but answers late; the caller's deadline cancels the request.
    fake.inject("outbound_voice_profiles", "POST", Fault.apply_then_delay(0.3))
    recorder = Recorder()

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.15):
            await carrier.create_trunk(KEY_OK, "acme", recorder)
    [maybe] = recorder.resources
    assert maybe.id is None
    assert len(fake.outbound_voice_profiles) == 1  # it does exist

    await carrier.delete_resource(KEY_OK, maybe)

    assert fake.outbound_voice_profiles == {}


async def test_deleting_a_never_created_resource_by_name_is_fine(
    carrier: TelnyxCarrier, fake: FakeTelnyx
) -> None:
    ghost = CarrierResource(kind="credential_connection", id=None, name="trunkql ghost 12345678")

    await carrier.delete_resource(KEY_OK, ghost)

    assert fake.calls_to("DELETE", CONNECTIONS) == 0
