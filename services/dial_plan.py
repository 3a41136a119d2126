"""The dial plan: which providers a call to a number tries, in which order, and how it addresses
each (the spec's failover by priority and regional providers by destination prefix).

Order, for a customer and a number:

1. the customer's routes whose target is a prefix of the number, longest prefix first;
2. the customer's ``all`` routes;
3. the platform default customer's prefix routes (longest first), then its ``all`` routes.

Within one of these groups (one prefix length of one customer), lower priority first; among equal
priorities, a weighted random draw as for DNS SRV records (RFC 2782), reproducible with a seed.
A provider is tried once, at its first place. Deleted routes and deleted providers never appear.
Providers last seen UNHEALTHY keep their relative order but go to the end, marked ``demoted``:
still worth a try when everything else failed.
"""

import itertools
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from models.enums import HealthStatus
from models.provider import Provider
from models.route import Route
from services import validation
from services.errors import ErrorCode, FieldError, ServiceError
from services.ids import parse_id
from services.masking import visible_tech_headers
from services.principals import Principal
from services.providers import dialed_number
from services.route_rules import TARGET_ALL
from services.routes import PLATFORM_CUSTOMER_ID


@dataclass(frozen=True)
class Attempt:
    """One try of a call: a route, its provider, and what to send the provider."""

    route: Route
    provider: Provider
    dialed_number: str
    sip_uri: str
    # As the principal may see them (masked for all but super admins).
    headers: dict[str, str]
    # The codecs to offer, in preference order; None when the provider sets no restriction.
    codecs: tuple[str, ...] | None
    # Moved to the end because the provider was last seen UNHEALTHY.
    demoted: bool


@dataclass(frozen=True)
class DialPlan:
    number: str  # normalised, e.g. +15551234567
    customer_id: uuid.UUID
    attempts: tuple[Attempt, ...]


async def dial_plan(
    destination: object, customer_id: object, principal: Principal, seed: int | None = None
) -> DialPlan:
    """The attempts a call from ``customer_id`` to ``destination`` would make, in order. One SQL
    query whatever the number of routes (see ``candidate_routes``)."""
    number, customer = _parse(destination, customer_id)
    routes = await candidate_routes(number, customer)
    rng = random.Random(seed)  # noqa: S311 -- shares load, guards nothing
    ordered = order_routes(routes, customer, rng)
    return DialPlan(
        number=number,
        customer_id=customer,
        attempts=tuple(_attempt(route, demoted, number, principal) for route, demoted in ordered),
    )


def _parse(destination: object, customer_id: object) -> tuple[str, uuid.UUID]:
    """The normalised number and the customer, or every problem with them at once."""
    errors: list[FieldError] = []
    number = ""
    customer = PLATFORM_CUSTOMER_ID
    try:
        number = validation.normalize_number(destination)
    except validation.InvalidValue as exc:
        errors.append(FieldError(("destination",), ErrorCode.INVALID_ARGUMENT, exc.message))
    try:
        customer = parse_id(customer_id, "customer_id")
    except ServiceError as exc:
        errors.extend(exc.errors)
    if errors:
        raise ServiceError(errors)
    return number, customer


def number_prefixes(number: str) -> list[str]:
    """The targets a normalised number can match besides ``all``: ``+4``, ``+44``, ... up to the
    whole number. A number without '+' is not in international form, so no E.164 prefix is known
    to match it and only ``all`` routes apply."""
    if not number.startswith("+"):
        return []
    return [number[:end] for end in range(2, len(number) + 1)]


def candidate_routes(number: str, customer_id: uuid.UUID) -> QuerySet[Route]:
    """The live routes of the customer and of the platform whose target matches ``number``, each
    with its (live) provider joined in.

    At most 2 customers x 16 targets: equality probes on the (customer_id, target, tm_delete)
    index, so the cost depends on how many routes match, never on how many exist.
    """
    return Route.filter(
        customer_id__in=sorted({customer_id, PLATFORM_CUSTOMER_ID}),
        target__in=[*number_prefixes(number), TARGET_ALL],
        tm_delete__isnull=True,
        provider__tm_delete__isnull=True,
    ).select_related("provider")


def order_routes(
    routes: Sequence[Route], customer_id: uuid.UUID, rng: random.Random
) -> list[tuple[Route, bool]]:
    """``routes`` (with their providers loaded) in dial order, one per provider, each with whether
    it was demoted for its provider's health."""
    # Equal ranks are drawn by weight; sorting them by age first makes a seed reproduce the draw.
    by_rank = sorted(routes, key=lambda r: (_rank(r, customer_id), r.tm_create, str(r.id)))
    drawn: list[Route] = []
    for _, tied in itertools.groupby(by_rank, key=lambda r: _rank(r, customer_id)):
        drawn += weighted_order(list(tied), rng)
    seen: set[uuid.UUID] = set()
    first_places = []
    for route in drawn:
        if route.provider_id not in seen:
            seen.add(route.provider_id)
            first_places.append(route)
    healthy = [(r, False) for r in first_places if not _unhealthy(r)]
    unhealthy = [(r, True) for r in first_places if _unhealthy(r)]
    return healthy + unhealthy


def _rank(route: Route, customer_id: uuid.UUID) -> tuple[int, int, int]:
    """Sort key: the customer's own routes first, longer prefixes before shorter ones before
    ``all``, then lower priority."""
    own = 0 if route.customer_id == customer_id else 1
    prefix_length = 0 if route.target == TARGET_ALL else len(route.target)
    return (own, -prefix_length, route.priority)


def weighted_order(routes: Sequence[Route], rng: random.Random) -> list[Route]:
    """RFC 2782's selection among records of equal priority: repeatedly pick one with probability
    weight / (sum of the weights left). Weights are at least 1, so RFC 2782's special case for
    weight 0 never arises."""
    remaining = list(routes)
    ordered: list[Route] = []
    while len(remaining) > 1:
        pick = rng.randrange(sum(route.weight for route in remaining))
        for index, route in enumerate(remaining):
            pick -= route.weight
            if pick < 0:
                ordered.append(remaining.pop(index))
                break
    return ordered + remaining


def _provider(route: Route) -> Provider:
    provider = route.provider
    assert isinstance(provider, Provider), "candidate_routes joins the provider in"
    return provider


def _unhealthy(route: Route) -> bool:
    return _provider(route).health_status == HealthStatus.UNHEALTHY


def sip_uri(dialed: str, hostname: str) -> str:
    """``sip:<dialed>@<hostname>``. A tech postfix may carry its own ``@host`` (the carrier's
    domain, e.g. ``@provider.com``): the dialed string then already ends in a host part, and that
    host is the Request-URI's host, so ``sip:<dialed>`` as is. The call is still sent to the
    provider's hostname (the next hop); prefix, number and postfix hold no other '@'."""
    if "@" in dialed:
        return f"sip:{dialed}"
    return f"sip:{dialed}@{hostname}"


def _attempt(route: Route, demoted: bool, number: str, principal: Principal) -> Attempt:
    provider = _provider(route)
    dialed = dialed_number(provider, number)
    return Attempt(
        route=route,
        provider=provider,
        dialed_number=dialed,
        sip_uri=sip_uri(dialed, provider.hostname),
        headers=visible_tech_headers(provider.tech_headers, principal),
        codecs=tuple(provider.codecs.split(",")) if provider.codecs else None,
        demoted=demoted,
    )


__all__ = [
    "Attempt",
    "DialPlan",
    "candidate_routes",
    "dial_plan",
    "number_prefixes",
    "order_routes",
    "sip_uri",
    "weighted_order",
]
