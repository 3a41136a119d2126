"""setupProvider end to end: the app over HTTP, the Telnyx adapter against the fake Telnyx over
loopback HTTP, and the database — success, every error row of the spec, and rollback."""

import asyncio
import logging
from typing import Any

import pytest
from tortoise import Tortoise

from carriers.fake_telnyx import FakeTelnyx, Fault
from models.setup import ProviderCredential, SetupJournal, SetupStatus
from services.secret_box import SecretBox
from tests.conftest import SECRET_KEY, TELNYX_KEY, TELNYX_KEY_NO_CONNECTIONS
from tests.factories import PAYLOAD, database_text, stored_providers
from tests.graphql_client import GraphQLClient
from tests.sql_counter import count_statements


def setup_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "carrier": "TELNYX",
        "name": "Telnyx Production",
        "apiKey": TELNYX_KEY,
    }
    values.update(overrides)
    return values


async def setup(admin: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    return await admin.mutate("setupProvider", setup_input(**overrides), PAYLOAD)


def assert_nothing_at_the_carrier(fake: FakeTelnyx) -> None:
    assert fake.outbound_voice_profiles == {}
    assert fake.credential_connections == {}


async def test_setup_creates_the_trunk_and_a_provider_usable_at_once(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    payload = await setup(admin, detail="one-step")

    assert payload["userErrors"] == []
    provider = payload["provider"]
    [profile] = fake_telnyx.outbound_voice_profiles.values()
    [connection] = fake_telnyx.credential_connections.values()
    assert connection["outbound"]["outbound_voice_profile_id"] == profile["id"]
    assert provider["type"] == "SIP"
    assert provider["hostname"] == "sip.telnyx.com"
    assert provider["detail"] == "one-step"
    assert (provider["techPrefix"], provider["techPostfix"], provider["codecs"]) == ("", "", "")
    assert provider["techHeaders"] == {"X-Telnyx-Username": connection["user_name"]}
    assert provider["metadata"]["carrier"] == "telnyx"
    assert provider["metadata"]["connection_id"] == connection["id"]
    assert provider["metadata"]["outbound_voice_profile_id"] == profile["id"]
    assert provider["metadata"]["sip_username"] == connection["user_name"]
    # Usable at once: the id works in the next call as is.
    codecs = await admin.mutate(
        "updateCodecs", {"id": provider["id"], "codecs": "PCMU,PCMA"}, PAYLOAD
    )
    assert codecs["provider"]["codecs"] == "PCMU,PCMA"


async def test_the_sip_password_is_stored_encrypted_and_never_returned(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    payload = await setup(admin)

    [connection] = fake_telnyx.credential_connections.values()
    password = connection["password"]
    credential = await ProviderCredential.get(provider_id=payload["provider"]["id"])
    assert credential.sip_username == connection["user_name"]
    assert SecretBox(SECRET_KEY).decrypt(credential.password_encrypted) == password
    assert password not in await database_text()
    assert password not in str(payload)
    everything = await admin.execute(
        "{ providers { edges { node { techHeaders metadata detail name } } } }"
    )
    assert password not in str(everything.body)


async def test_a_setup_waits_for_one_commit_per_carrier_call_and_one_to_finish(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    # Each statement outside the final transaction is a commit the setup waits for: the journal
    # is written ahead of each create (write-ahead, for recovery), and a create's id rides on the
    # next write rather than costing a commit of its own.
    with count_statements() as counter:
        payload = await setup(admin)
    assert payload["userErrors"] == []
    assert [" ".join(s.split()[:3]) for s in counter.statements] == [
        'INSERT INTO "setup_journal"',  # the setup, before the key check
        'UPDATE "setup_journal" SET',  # the profile, by name, before its create
        'UPDATE "setup_journal" SET',  # the profile's id, and the connection by name
        'INSERT INTO "provider"',  # then one transaction: provider, credential, completion
        'INSERT INTO "provider_credential"',
        'UPDATE "setup_journal" SET',
    ]
    journal = await SetupJournal.get()
    assert journal.status == SetupStatus.COMPLETED
    assert [(r["kind"], r["id"]) for r in journal.resources] == [
        ("outbound_voice_profile", next(iter(fake_telnyx.outbound_voice_profiles))),
        ("credential_connection", next(iter(fake_telnyx.credential_connections))),
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": None}, ["input", "name"]),
        ({"name": "   "}, ["input", "name"]),
        ({"apiKey": None}, ["input", "apiKey"]),
        ({"apiKey": ""}, ["input", "apiKey"]),
        ({"apiKey": "KEY with spaces"}, ["input", "apiKey"]),
        ({"carrier": None}, ["input", "carrier"]),
        ({"idempotencyKey": "not a valid key!"}, ["input", "idempotencyKey"]),
    ],
    ids=lambda v: repr(v)[:40],
)
async def test_missing_or_bad_fields_are_refused_before_any_carrier_call(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx, overrides: dict[str, Any], field: list[str]
) -> None:
    payload = await setup(admin, **overrides)

    assert payload["provider"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID_ARGUMENT")]
    assert fake_telnyx.calls == []
    assert await stored_providers() == []


async def test_a_carrier_without_an_adapter_is_unsupported(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    payload = await setup(admin, carrier="TWILIO")

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "carrier"], "UNSUPPORTED_CARRIER")
    ]
    assert "telnyx" in payload["userErrors"][0]["message"]
    assert fake_telnyx.calls == []


async def test_an_invalid_key_is_the_specs_422(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    payload = await setup(admin, apiKey="KEY_THAT_TELNYX_DOES_NOT_KNOW")

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "apiKey"], "CARRIER_CREDENTIALS_REJECTED")
    ]
    assert "KEY_THAT_TELNYX_DOES_NOT_KNOW" not in payload["userErrors"][0]["message"]
    assert_nothing_at_the_carrier(fake_telnyx)
    assert await stored_providers() == []


async def test_a_key_lacking_a_permission_is_the_specs_422_and_rolls_back(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    payload = await setup(admin, apiKey=TELNYX_KEY_NO_CONNECTIONS)

    assert [e["code"] for e in payload["userErrors"]] == ["CARRIER_CREDENTIALS_REJECTED"]
    # The profile was created before the refusal, and deleted again.
    assert fake_telnyx.calls_to("POST", "/v2/outbound_voice_profiles") == 1
    assert_nothing_at_the_carrier(fake_telnyx)
    assert await stored_providers() == []
    journal = await SetupJournal.get()
    assert journal.status == SetupStatus.ROLLED_BACK
    assert journal.error_code == "CARRIER_CREDENTIALS_REJECTED"


async def test_a_carrier_validation_error_is_invalid_argument_with_its_detail(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    fake_telnyx.inject(
        "credential_connections",
        "POST",
        Fault.rejected("Destinations not approved for this account", "/outbound"),
    )

    payload = await setup(admin)

    [error] = payload["userErrors"]
    assert error["code"] == "INVALID_ARGUMENT"
    assert "Destinations not approved" in error["message"]
    assert_nothing_at_the_carrier(fake_telnyx)
    assert await stored_providers() == []


FAILING_STEPS = [
    ("balance", "GET"),
    ("outbound_voice_profiles", "POST"),
    ("credential_connections", "POST"),
]


@pytest.mark.parametrize(("endpoint", "method"), FAILING_STEPS)
@pytest.mark.parametrize(
    "fault",
    [Fault.server_error(503), Fault.rate_limited(reset=0.01), Fault.drop()],
    ids=["503", "429", "dropped"],
)
async def test_a_carrier_down_at_any_step_is_unavailable_and_leaves_nothing(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx, endpoint: str, method: str, fault: Fault
) -> None:
    fake_telnyx.inject(endpoint, method, fault, times=10)  # more than the retries

    payload = await setup(admin)

    assert [e["code"] for e in payload["userErrors"]] == ["CARRIER_UNAVAILABLE"]
    assert_nothing_at_the_carrier(fake_telnyx)
    assert await stored_providers() == []


async def test_a_transient_failure_is_retried_and_the_setup_succeeds(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    fake_telnyx.inject("credential_connections", "POST", Fault.server_error(502))
    fake_telnyx.inject("outbound_voice_profiles", "POST", Fault.rate_limited(reset=0.01))

    payload = await setup(admin)

    assert payload["userErrors"] == []
    assert len(fake_telnyx.outbound_voice_profiles) == 1
    assert len(fake_telnyx.credential_connections) == 1


async def test_a_timeout_after_the_create_does_not_make_a_second_trunk(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    # The carrier creates each resource but answers after the client's timeout (0.5 s).
    fake_telnyx.inject("outbound_voice_profiles", "POST", Fault.apply_then_delay(1.0))
    fake_telnyx.inject("credential_connections", "POST", Fault.apply_then_delay(1.0))

    payload = await setup(admin)

    assert payload["userErrors"] == []
    assert len(fake_telnyx.outbound_voice_profiles) == 1
    assert len(fake_telnyx.credential_connections) == 1
    [connection] = fake_telnyx.credential_connections.values()
    assert payload["provider"]["metadata"]["connection_id"] == connection["id"]


async def test_a_failing_database_insert_rolls_the_carrier_back(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    connection = Tortoise.get_connection("default")
    await connection.execute_script(
        'ALTER TABLE "provider_credential" RENAME TO "provider_credential_away"'
    )
    try:
        response = await admin.execute(
            "mutation($input: SetupProviderInput!) { setupProvider(input: $input) { "
            "provider { id } userErrors { code } } }",
            {"input": setup_input()},
        )
    finally:
        await connection.execute_script(
            'ALTER TABLE "provider_credential_away" RENAME TO "provider_credential"'
        )

    assert response.error_codes == ["INTERNAL_SERVER_ERROR"]
    assert fake_telnyx.calls_to("POST", "/v2/credential_connections") == 1
    assert_nothing_at_the_carrier(fake_telnyx)
    assert await stored_providers() == []
    assert (await SetupJournal.get()).status == SetupStatus.ROLLED_BACK


async def test_a_failed_rollback_names_what_is_left_and_records_it(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    fake_telnyx.inject("credential_connections", "POST", Fault.rejected("Bad outbound"))
    fake_telnyx.inject("outbound_voice_profiles", "DELETE", Fault.server_error(500), times=10)

    payload = await setup(admin)

    [profile_id] = fake_telnyx.outbound_voice_profiles
    cause, cleanup = payload["userErrors"]
    assert cause["code"] == "INVALID_ARGUMENT"
    assert cleanup["code"] == "CARRIER_UNAVAILABLE"
    assert profile_id in cleanup["message"]
    assert "outbound_voice_profile" in cleanup["message"]
    journal = await SetupJournal.get()
    assert journal.status == SetupStatus.CLEANUP_FAILED
    assert [r["id"] for r in journal.resources] == [profile_id]
    assert str(journal.id) in cleanup["message"]
    assert await stored_providers() == []


async def test_the_same_idempotency_key_returns_the_first_result(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    first = await setup(admin, idempotencyKey="order-42")
    calls = len(fake_telnyx.calls)

    again = await setup(admin, idempotencyKey="order-42")

    assert again["userErrors"] == []
    assert again["provider"]["id"] == first["provider"]["id"]
    assert len(fake_telnyx.calls) == calls  # no carrier call at all
    assert len(fake_telnyx.credential_connections) == 1
    assert len(await stored_providers()) == 1


async def test_an_idempotency_key_reused_for_another_request_is_a_conflict(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    await setup(admin, idempotencyKey="order-43")

    other = await setup(admin, idempotencyKey="order-43", name="Another trunk")

    assert [(e["field"], e["code"]) for e in other["userErrors"]] == [
        (["input", "idempotencyKey"], "CONFLICT")
    ]
    assert len(fake_telnyx.credential_connections) == 1


async def test_after_a_clean_failure_the_same_key_may_try_again(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    fake_telnyx.inject("balance", "GET", Fault.server_error(503), times=10)
    failed = await setup(admin, idempotencyKey="order-44")
    fake_telnyx.reset()

    retried = await setup(admin, idempotencyKey="order-44")

    assert [e["code"] for e in failed["userErrors"]] == ["CARRIER_UNAVAILABLE"]
    assert retried["userErrors"] == []
    assert len(fake_telnyx.credential_connections) == 1


async def test_two_setups_at_once_make_two_trunks(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    fake_telnyx.inject("outbound_voice_profiles", "POST", Fault.delay(0.1), times=2)

    one, two = await asyncio.gather(setup(admin, name="Trunk A"), setup(admin, name="Trunk B"))

    assert one["userErrors"] == two["userErrors"] == []
    assert one["provider"]["id"] != two["provider"]["id"]
    usernames = {c["user_name"] for c in fake_telnyx.credential_connections.values()}
    assert len(usernames) == 2
    assert len(await stored_providers()) == 2


async def test_two_setups_at_once_with_one_idempotency_key_make_one_trunk(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    fake_telnyx.inject("outbound_voice_profiles", "POST", Fault.delay(0.2))

    results = await asyncio.gather(
        setup(admin, idempotencyKey="order-45"), setup(admin, idempotencyKey="order-45")
    )

    assert len(fake_telnyx.credential_connections) == 1
    assert len(await stored_providers()) == 1
    codes = sorted(e["code"] for r in results for e in r["userErrors"])
    assert codes == ["CONFLICT"]  # the second was told the first is still in progress


async def test_the_api_key_never_reaches_logs_responses_or_the_database(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telnyx.inject("credential_connections", "POST", Fault.server_error(500))
    bodies = []
    with caplog.at_level(logging.DEBUG):
        bodies.append(await setup(admin))
        bodies.append(await setup(admin, apiKey=TELNYX_KEY_NO_CONNECTIONS))
        bodies.append(await setup(admin, apiKey=TELNYX_KEY + "x"))
        fake_telnyx.inject("outbound_voice_profiles", "DELETE", Fault.server_error(500), times=9)
        bodies.append(await setup(admin, apiKey=TELNYX_KEY_NO_CONNECTIONS))

    assert bodies[0]["userErrors"] == []
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    stored = await database_text()
    for key in (TELNYX_KEY, TELNYX_KEY_NO_CONNECTIONS, TELNYX_KEY + "x"):
        assert key not in logged
        assert key not in str(bodies)
        assert key not in stored
