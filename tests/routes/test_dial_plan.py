"""dialPlan: the attempts a call makes, in order. Each ordering rule on its own, then together."""

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from models.enums import HealthStatus
from models.provider import Provider
from tests.factories import (
    ACME,
    GLOBEX,
    PLATFORM,
    ROUTE_PAYLOAD,
    create_provider,
    create_route,
)
from tests.graphql_client import GraphQLClient

DIAL = """
query($destination: String!, $customerId: ID!, $seed: Int) {
  dialPlan(destination: $destination, customerId: $customerId, seed: $seed) {
    number customerId
    attempts {
      position route { id name target priority customerId provider { id name } }
      provider { id name hostname } dialedNumber sipUri headers codecs healthStatus demoted
    }
  }
}
"""
LONDON = "+44 20 7946 0000"
NEW_YORK = "+1 (212) 555-0100"


async def _plan(
    client: GraphQLClient, destination: str, customer: str = PLATFORM, seed: int | None = None
) -> dict[str, Any]:
    response = await client.execute(
        DIAL, {"destination": destination, "customerId": customer, "seed": seed}
    )
    plan: dict[str, Any] = response.data["dialPlan"]
    return plan


async def _order(
    client: GraphQLClient, destination: str, customer: str = PLATFORM, seed: int | None = None
) -> list[str]:
    """The names of the routes tried, in order."""
    plan = await _plan(client, destination, customer, seed)
    return [attempt["route"]["name"] for attempt in plan["attempts"]]


async def _provider(admin: GraphQLClient, name: str, **fields: Any) -> str:
    hostname = fields.pop("hostname", f"sip.{name.lower().replace(' ', '-')}.example.com")
    provider = await create_provider(admin, name=name, hostname=hostname, **fields)
    provider_id: str = provider["id"]
    return provider_id


# --- the spec's scenarios -------------------------------------------------------------------


async def test_failover_by_priority_telnyx_then_twilio(admin: GraphQLClient) -> None:
    """Spec scenario 2: Telnyx is primary, Twilio the backup."""
    telnyx = await _provider(admin, "Telnyx", hostname="sip.telnyx.com")
    twilio = await _provider(admin, "Twilio", hostname="example.pstn.twilio.com")
    backup = await create_route(admin, twilio, name="backup", priority=20)
    await create_route(admin, telnyx, name="primary", priority=10)

    plan = await _plan(admin, NEW_YORK)

    assert [(a["position"], a["provider"]["name"]) for a in plan["attempts"]] == [
        (1, "Telnyx"),
        (2, "Twilio"),
    ]
    assert [a["sipUri"] for a in plan["attempts"]] == [
        "sip:+12125550100@sip.telnyx.com",
        "sip:+12125550100@example.pstn.twilio.com",
    ]

    # Promote the backup: the order follows priority, not creation order.
    await admin.mutate("updateRoute", {"id": backup["id"], "priority": 0}, ROUTE_PAYLOAD)
    assert await _order(admin, NEW_YORK) == ["backup", "primary"]


async def test_regional_providers_by_destination_prefix_us_and_eu(admin: GraphQLClient) -> None:
    """Spec scenario 3: US numbers through a US carrier, European ones through an EU carrier,
    everything else through a global fallback."""
    us = await _provider(admin, "US carrier")
    eu = await _provider(admin, "EU carrier")
    world = await _provider(admin, "Global carrier")
    await create_route(admin, us, name="us", target="+1")
    for country in ("+44", "+33", "+49"):
        await create_route(admin, eu, name=f"eu {country}", target=country)
    await create_route(admin, world, name="fallback", target="all", priority=100)

    assert await _order(admin, NEW_YORK) == ["us", "fallback"]
    assert await _order(admin, LONDON) == ["eu +44", "fallback"]
    assert await _order(admin, "+33 1 23 45 67 89") == ["eu +33", "fallback"]
    assert await _order(admin, "+81 3 1234 5678") == ["fallback"]


# --- each ordering rule on its own ---------------------------------------------------------


async def test_longest_prefix_first_whatever_the_priority(admin: GraphQLClient) -> None:
    london = await _provider(admin, "London")
    uk = await _provider(admin, "UK")
    europe = await _provider(admin, "Europe")
    await create_route(admin, europe, name="+4", target="+4", priority=0)
    await create_route(admin, uk, name="+44", target="+44", priority=0)
    await create_route(admin, london, name="+4420", target="+4420", priority=50)

    assert await _order(admin, LONDON) == ["+4420", "+44", "+4"]
    assert await _order(admin, "+44 161 496 0000") == ["+44", "+4"]  # Manchester
    assert await _order(admin, "+49 30 1234567") == ["+4"]


async def test_a_prefix_may_be_the_whole_number(admin: GraphQLClient) -> None:
    exact = await _provider(admin, "Exact")
    await create_route(admin, exact, name="exact", target="+442079460000")

    assert await _order(admin, LONDON) == ["exact"]
    assert await _order(admin, "+4420794600001") == ["exact"]
    assert await _order(admin, "+44207946000") == []


async def test_prefix_routes_before_all_routes(admin: GraphQLClient) -> None:
    a = await _provider(admin, "A")
    b = await _provider(admin, "B")
    await create_route(admin, a, name="all", target="all", priority=0)
    await create_route(admin, b, name="+1", target="+1", priority=9)

    assert await _order(admin, NEW_YORK) == ["+1", "all"]


async def test_the_customers_routes_before_the_platforms(admin: GraphQLClient) -> None:
    a = await _provider(admin, "A")
    b = await _provider(admin, "B")
    # The platform's route is more specific and has a better priority; the customer's still wins.
    await create_route(admin, a, name="platform +4420", customerId=PLATFORM, target="+4420")
    await create_route(admin, b, name="acme all", customerId=ACME, target="all", priority=99)

    assert await _order(admin, LONDON, ACME) == ["acme all", "platform +4420"]
    assert await _order(admin, LONDON, PLATFORM) == ["platform +4420"]


async def test_other_customers_routes_never_apply(admin: GraphQLClient) -> None:
    a = await _provider(admin, "A")
    b = await _provider(admin, "B")
    await create_route(admin, a, name="acme", customerId=ACME)
    await create_route(admin, b, name="globex", customerId=GLOBEX)

    assert await _order(admin, NEW_YORK, ACME) == ["acme"]
    assert await _order(admin, NEW_YORK, GLOBEX) == ["globex"]
    assert await _order(admin, NEW_YORK, PLATFORM) == []


async def test_by_priority_within_a_group(admin: GraphQLClient) -> None:
    for priority in (30, 0, 65535, 7):
        provider = await _provider(admin, f"P{priority}")
        await create_route(admin, provider, name=str(priority), target="+1", priority=priority)

    assert await _order(admin, NEW_YORK) == ["0", "7", "30", "65535"]


async def test_a_provider_is_tried_once_at_its_first_place(admin: GraphQLClient) -> None:
    telnyx = await _provider(admin, "Telnyx")
    twilio = await _provider(admin, "Twilio")
    await create_route(admin, telnyx, name="telnyx all", customerId=ACME, target="all")
    await create_route(admin, twilio, name="twilio +1", customerId=ACME, target="+1", priority=5)
    await create_route(admin, telnyx, name="telnyx +1", customerId=ACME, target="+1", priority=9)
    await create_route(admin, twilio, name="twilio platform", customerId=PLATFORM)

    assert await _order(admin, NEW_YORK, ACME) == ["twilio +1", "telnyx +1"]


async def test_numbers_without_a_plus_match_only_all_routes(admin: GraphQLClient) -> None:
    a = await _provider(admin, "A")
    b = await _provider(admin, "B")
    await create_route(admin, a, name="+1", target="+1")
    await create_route(admin, b, name="all", target="all")

    plan = await _plan(admin, "1 (212) 555-0100")

    assert plan["number"] == "12125550100"
    assert [attempt["route"]["name"] for attempt in plan["attempts"]] == ["all"]


# --- ties and weights ----------------------------------------------------------------------


async def test_equal_priorities_are_drawn_by_weight_reproducibly_with_a_seed(
    admin: GraphQLClient,
) -> None:
    heavy = await _provider(admin, "Heavy")
    light = await _provider(admin, "Light")
    await create_route(admin, heavy, name="heavy", weight=30)
    await create_route(admin, light, name="light", weight=10)

    first_by_seed = {seed: (await _order(admin, NEW_YORK, seed=seed))[0] for seed in range(200)}

    # The same seed gives the same order again.
    for seed in (0, 1, 2, 3, 4):
        assert (await _order(admin, NEW_YORK, seed=seed))[0] == first_by_seed[seed]
    # 30:10 is a 75% share of first places: 150 of 200 expected, far from 100 (no weights).
    heavy_first = Counter(first_by_seed.values())["heavy"]
    assert 125 <= heavy_first <= 175, heavy_first


async def test_equal_weights_share_first_place(admin: GraphQLClient) -> None:
    names = ["a", "b", "c"]
    for name in names:
        await create_route(admin, await _provider(admin, name), name=name, weight=5)

    orders = [await _order(admin, NEW_YORK, seed=seed) for seed in range(150)]

    assert all(sorted(order) == names for order in orders)
    firsts = Counter(order[0] for order in orders)
    assert all(30 <= firsts[name] <= 70 for name in names), firsts  # about 50 each


async def test_weights_only_break_ties_of_priority(admin: GraphQLClient) -> None:
    primary = await _provider(admin, "Primary")
    heavy_backup = await _provider(admin, "Heavy backup")
    await create_route(admin, primary, name="primary", priority=0, weight=1)
    await create_route(admin, heavy_backup, name="backup", priority=1, weight=65535)

    for seed in range(20):
        assert await _order(admin, NEW_YORK, seed=seed) == ["primary", "backup"]


async def test_without_a_seed_the_draw_varies(admin: GraphQLClient) -> None:
    await create_route(admin, await _provider(admin, "A"), name="a")
    await create_route(admin, await _provider(admin, "B"), name="b")

    firsts = {(await _order(admin, NEW_YORK))[0] for _ in range(40)}

    assert firsts == {"a", "b"}


# --- health, deletions ---------------------------------------------------------------------


async def _set_health(provider_id: str, status: HealthStatus) -> None:
    await Provider.filter(id=provider_id).update(health_status=status)


async def test_unhealthy_providers_go_to_the_end_marked(admin: GraphQLClient) -> None:
    first = await _provider(admin, "First")
    second = await _provider(admin, "Second")
    third = await _provider(admin, "Third")
    fourth = await _provider(admin, "Fourth")
    await create_route(admin, first, name="first", target="+1", priority=0)
    await create_route(admin, second, name="second", target="+1", priority=1)
    await create_route(admin, third, name="third", target="all", priority=0)
    await create_route(admin, fourth, name="fourth", target="all", priority=1)
    await _set_health(first, HealthStatus.UNHEALTHY)
    await _set_health(third, HealthStatus.UNHEALTHY)
    await _set_health(second, HealthStatus.HEALTHY)  # fourth stays UNKNOWN: not demoted

    plan = await _plan(admin, NEW_YORK)

    assert [(a["route"]["name"], a["healthStatus"], a["demoted"]) for a in plan["attempts"]] == [
        ("second", "HEALTHY", False),
        ("fourth", "UNKNOWN", False),
        ("first", "UNHEALTHY", True),  # demoted ones keep their relative order
        ("third", "UNHEALTHY", True),
    ]


async def test_deleted_routes_never_appear(admin: GraphQLClient) -> None:
    a = await _provider(admin, "A")
    b = await _provider(admin, "B")
    await create_route(admin, a, name="a")
    gone = await create_route(admin, b, name="b", target="+1")

    await admin.mutate("deleteRoute", {"id": gone["id"]}, ROUTE_PAYLOAD)

    assert await _order(admin, NEW_YORK) == ["a"]


async def test_deleted_providers_never_appear(admin: GraphQLClient) -> None:
    """deleteProvider refuses while routes use the provider, so only a provider deleted by other
    means (a script, an older version) can still have live routes: the dial plan skips it."""
    a = await _provider(admin, "A")
    b = await _provider(admin, "B")
    await create_route(admin, a, name="a", priority=0)
    await create_route(admin, b, name="b", priority=1)
    await Provider.filter(id=a).update(tm_delete=datetime(2024, 1, 1, tzinfo=UTC))

    assert await _order(admin, NEW_YORK) == ["b"]


# --- everything together -------------------------------------------------------------------


async def test_all_rules_together(admin: GraphQLClient) -> None:
    names = ["London", "UK", "Acme all", "Platform UK", "Platform all", "Flaky", "Globex"]
    p = {name: await _provider(admin, name) for name in names}
    await create_route(admin, p["Platform all"], name="platform all", priority=0)
    await create_route(admin, p["UK"], name="acme +44", customerId=ACME, target="+44")
    await create_route(admin, p["Flaky"], name="acme +44 flaky", customerId=ACME, target="+44")
    await create_route(admin, p["Platform UK"], name="platform +44", target="+44", priority=3)
    await create_route(admin, p["Acme all"], name="acme all", customerId=ACME, priority=1)
    await create_route(admin, p["London"], name="acme +4420", customerId=ACME, target="+4420")
    await create_route(admin, p["UK"], name="platform +44 again", target="+44", priority=0)
    await create_route(admin, p["Globex"], name="globex", customerId=GLOBEX, target="+44")
    await create_route(admin, p["Flaky"], name="platform flaky", target="all", priority=9)
    gone = await create_route(admin, p["Globex"], name="deleted", customerId=ACME, target="+4")
    await admin.mutate("deleteRoute", {"id": gone["id"]}, ROUTE_PAYLOAD)
    await _set_health(p["Flaky"], HealthStatus.UNHEALTHY)

    for seed in range(10):  # "acme +44" and "acme +44 flaky" tie; Flaky is demoted anyway
        plan = await _plan(admin, LONDON, ACME, seed)
        assert [(a["route"]["name"], a["demoted"]) for a in plan["attempts"]] == [
            ("acme +4420", False),  # the customer's longest prefix
            ("acme +44", False),  # then its shorter prefix
            ("acme all", False),  # then its all routes
            ("platform +44", False),  # then the platform's prefix (UK already tried)
            ("platform all", False),  # then the platform's all routes
            ("acme +44 flaky", True),  # unhealthy, at its first place among the demoted
        ]


# --- what each attempt says ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "postfix", "dialed", "uri"),
    [
        ("", "", "+12125550100", "sip:+12125550100@sip.carrier.com"),
        ("1", "", "1+12125550100", "sip:1+12125550100@sip.carrier.com"),
        (
            "1",
            "@provider.com",
            "1+12125550100@provider.com",
            "sip:1+12125550100@provider.com",  # the postfix's host is the URI's host
        ),
        (
            "",
            ";npdi@Trunk.Provider.com:5080",
            "+12125550100;npdi@trunk.provider.com:5080",
            "sip:+12125550100;npdi@trunk.provider.com:5080",
        ),
        ("*67", ";npdi", "*67+12125550100;npdi", "sip:*67+12125550100;npdi@sip.carrier.com"),
    ],
)
async def test_dialed_number_and_sip_uri(
    admin: GraphQLClient, prefix: str, postfix: str, dialed: str, uri: str
) -> None:
    provider = await _provider(
        admin, "Carrier", hostname="sip.carrier.com", techPrefix=prefix, techPostfix=postfix
    )
    await create_route(admin, provider, name="r")

    [attempt] = (await _plan(admin, NEW_YORK))["attempts"]

    assert attempt["dialedNumber"] == dialed
    assert attempt["sipUri"] == uri


async def test_each_attempt_carries_route_provider_headers_and_codecs(
    admin: GraphQLClient,
) -> None:
    restricted = await _provider(
        admin, "Restricted", codecs="pcmu, g729", techHeaders={"X-Account": "acme-7"}
    )
    open_ = await _provider(admin, "Open")
    route = await create_route(admin, restricted, name="restricted", customerId=ACME)
    await create_route(admin, open_, name="open", priority=1, customerId=ACME)

    plan = await _plan(admin, NEW_YORK, ACME)

    assert plan["number"] == "+12125550100"
    assert plan["customerId"] == ACME
    first, second = plan["attempts"]
    assert first["route"]["id"] == route["id"]
    assert first["route"]["provider"] == {"id": restricted, "name": "Restricted"}
    assert first["provider"]["id"] == restricted
    assert first["headers"] == {"X-Account": "acme-7"}
    assert first["codecs"] == ["PCMU", "G729"]
    assert second["headers"] == {}
    assert second["codecs"] is None  # no restriction: the platform's default list


async def test_a_viewer_sees_header_names_with_masked_values(
    admin: GraphQLClient, viewer: GraphQLClient
) -> None:
    provider = await _provider(admin, "Carrier", techHeaders={"X-Token": "tok_live_8f14e45f"})
    await create_route(admin, provider, name="r")

    plan = await _plan(viewer, NEW_YORK)

    [attempt] = plan["attempts"]
    assert attempt["headers"] == {"X-Token": "********"}
    assert "tok_live_8f14e45f" not in str(plan)


async def test_no_route_no_attempt(admin: GraphQLClient) -> None:
    assert (await _plan(admin, NEW_YORK, ACME))["attempts"] == []


# --- refused arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "destination", ["", "   ", "+1555CALLNOW", "1+555", "+", "+1234567890123456", "+1 555 abc"]
)
async def test_a_destination_that_is_not_a_number_is_invalid_argument(
    admin: GraphQLClient, destination: str
) -> None:
    response = await admin.execute(DIAL, {"destination": destination, "customerId": ACME})

    assert response.body["data"] is None
    assert response.error_codes == ["INVALID_ARGUMENT"]
    assert response.errors[0]["extensions"]["field"] == ["destination"]


async def test_a_malformed_customer_id_is_invalid_argument(admin: GraphQLClient) -> None:
    response = await admin.execute(DIAL, {"destination": NEW_YORK, "customerId": "acme"})

    assert response.error_codes == ["INVALID_ARGUMENT"]
    assert response.errors[0]["extensions"]["field"] == ["customerId"]
