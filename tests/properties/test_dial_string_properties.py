"""Round trips of the strings a call is sent with: ``formatNumber`` / ``dialedNumber``
(``techPrefix + number + techPostfix``) and ``sipUri`` (``sip:<dialed>@<hostname>``, or
``sip:<dialed>`` when the postfix carries its own ``@host``).

For any valid provider settings and any number as a person types it, the SIP URI parses back
into exactly the parts it was made of: the prefix, the compact number, the postfix's user part,
and the host (the postfix's host when it has one, else the provider's hostname). Checked on the
pure functions with many examples, and end to end (``createProvider``, ``createRoute``,
``dialPlan`` and ``formatNumber`` over HTTP) with a few dozen.
"""

from dataclasses import dataclass

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from models.provider import Provider
from models.route import Route
from services.dial_plan import sip_uri
from services.providers import dialed_number, format_number
from services.validation import (
    InvalidValue,
    clean_hostname,
    clean_tech_postfix,
    clean_tech_prefix,
    normalize_number,
)
from tests.factories import ACME, create_provider, create_route
from tests.graphql_client import GraphQLClient
from tests.properties import budget, sip_grammar
from tests.properties.strategies import hostnames, tech_postfixes, tech_prefixes, typed_numbers


@dataclass(frozen=True)
class ParsedSipUri:
    user: str
    host: str  # host[:port], as in the URI


def parse_sip_uri(uri: str) -> ParsedSipUri:
    """``sip:user@hostport``, split as RFC 3261 section 19.1.1 reads it. The user part may hold
    ``;``, ``?`` and ``/`` (user-unreserved) but never a raw ``@``, so the one ``@`` separates the
    user part from the host."""
    assert uri.startswith("sip:"), uri
    rest = uri.removeprefix("sip:")
    assert rest.count("@") == 1, f"exactly one '@' in {uri!r}"
    user, host = rest.split("@")
    return ParsedSipUri(user=user, host=host)


@dataclass(frozen=True)
class Settings:
    prefix: str
    postfix: str
    hostname: str


@st.composite
def provider_settings(draw: st.DrawFn) -> Settings:
    return Settings(
        prefix=clean_tech_prefix(draw(tech_prefixes())),
        postfix=clean_tech_postfix(draw(tech_postfixes())),
        hostname=clean_hostname(draw(hostnames())),
    )


def expected_parts(settings: Settings, number: str) -> ParsedSipUri:
    postfix_user, at, postfix_host = settings.postfix.partition("@")
    return ParsedSipUri(
        user=settings.prefix + number + postfix_user,
        host=postfix_host if at else settings.hostname,
    )


def recovered_number(settings: Settings, parsed: ParsedSipUri) -> str:
    """The number, cut back out of the URI's user part by the provider's prefix and postfix."""
    postfix_user = settings.postfix.partition("@")[0]
    assert parsed.user.startswith(settings.prefix), parsed
    assert parsed.user.endswith(postfix_user), parsed
    return parsed.user[len(settings.prefix) : len(parsed.user) - len(postfix_user)]


# --- pure -------------------------------------------------------------------------------------


@budget.pure()
@given(provider_settings(), typed_numbers())
@example(Settings("1", "@provider.com", "sip.telnyx.com"), ("+1 (555) 123-4567", "+15551234567"))
@example(Settings("00", ";npdi?x=1/y", "[2001:db8::1]:5060"), ("44 20", "4420"))
def test_the_sip_uri_parses_back_into_prefix_number_postfix_and_host(
    settings: Settings, number: tuple[str, str]
) -> None:
    typed, compact = number
    provider = Provider(
        tech_prefix=settings.prefix, tech_postfix=settings.postfix, hostname=settings.hostname
    )
    dialed = format_number(provider, typed)
    assert dialed == dialed_number(provider, normalize_number(typed))
    uri = sip_uri(dialed, provider.hostname)

    parsed = parse_sip_uri(uri)
    assert parsed == expected_parts(settings, compact)
    assert recovered_number(settings, parsed) == compact
    assert uri == f"sip:{dialed}" + ("" if "@" in settings.postfix else f"@{settings.hostname}")


@budget.pure()
@given(provider_settings(), typed_numbers())
def test_every_sip_uri_follows_the_rfc3261_grammar(
    settings: Settings, number: tuple[str, str]
) -> None:
    provider = Provider(
        tech_prefix=settings.prefix, tech_postfix=settings.postfix, hostname=settings.hostname
    )
    uri = sip_uri(format_number(provider, number[0]), provider.hostname)
    assert sip_grammar.sip_uri_ok(uri), uri


def test_a_top_label_starting_with_a_digit_is_refused() -> None:
    """What this property found: 'sip.9carrier' made Request-URIs a strict SIP parser rejects."""
    with pytest.raises(InvalidValue):
        clean_hostname("sip.9carrier")


@pytest.mark.parametrize(
    "uri",
    [
        "sip:+15551234567@sip.telnyx.com",
        "sip:1+15551234567@provider.com:5060",
        "sip:00%23+44;npdi@[2001:db8::1]:5061",
        "sip:+1@10.0.0.1",
    ],
)
def test_the_rfc3261_grammar_check_accepts_well_formed_uris(uri: str) -> None:
    """The grammar oracle (tests.properties.sip_grammar) accepts valid URIs and refuses broken
    ones."""
    assert sip_grammar.sip_uri_ok(uri)
    for broken in (
        uri.replace("sip:", "sips:"),
        uri.replace("@", "@@"),
        uri + " ",
        "sip:@h.com",
        "sip:+1@host.9a",
        "sip:+1@[::1",
    ):
        assert not sip_grammar.sip_uri_ok(broken), broken


# --- end to end -------------------------------------------------------------------------------

DIAL = """
query($destination: String!, $customer: ID!, $id: ID!, $number: String!) {
  dialPlan(destination: $destination, customerId: $customer) {
    number
    attempts { dialedNumber sipUri provider { id hostname techPrefix techPostfix } }
  }
  provider(id: $id) { formatNumber(number: $number) }
}
"""


@budget.through_the_app(25)
@given(provider_settings(), typed_numbers())
async def test_dial_plan_and_format_number_round_trip_over_http(
    admin: GraphQLClient, settings: Settings, number: tuple[str, str]
) -> None:
    await Route.all().delete()
    await Provider.all().delete()
    typed, compact = number
    # Sent as a client would type them (any case); stored and used normalised.
    provider = await create_provider(
        admin,
        techPrefix=settings.prefix,
        techPostfix=settings.postfix.upper(),
        hostname=settings.hostname.upper(),
    )
    await create_route(admin, provider["id"], customerId=ACME, target="all")

    response = await admin.execute(
        DIAL, {"destination": typed, "customer": ACME, "id": provider["id"], "number": typed}
    )

    data = response.data
    assert data["dialPlan"]["number"] == compact
    [attempt] = data["dialPlan"]["attempts"]
    assert attempt["provider"]["hostname"] == settings.hostname
    postfix_user, at, postfix_host = settings.postfix.partition("@")
    assert attempt["provider"]["techPostfix"] == postfix_user.upper() + at + postfix_host
    stored = Settings(
        prefix=attempt["provider"]["techPrefix"],
        postfix=attempt["provider"]["techPostfix"],
        hostname=attempt["provider"]["hostname"],
    )
    assert attempt["dialedNumber"] == data["provider"]["formatNumber"]
    assert attempt["dialedNumber"] == stored.prefix + compact + stored.postfix
    parsed = parse_sip_uri(attempt["sipUri"])
    assert parsed == expected_parts(stored, compact)
    assert recovered_number(stored, parsed) == compact
