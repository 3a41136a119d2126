"""Route records: the dial plan's entries. Create, read, list, change and soft-delete.

A route sends a customer's calls to numbers matching ``target`` to one provider. Like
``services.providers``, functions take the client's raw values keyed by the record's field names.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from models.route import Route
from services import route_rules, validation
from services.cleaning import clean_fields
from services.clock import utcnow
from services.errors import not_found
from services.filters import column_length, filter_text
from services.ids import parse_id
from services.pagination import Page, newest_first_page
from services.providers import lock_live_provider
from services.transactions import atomically
from services.versioning import expected_version, only_if_unchanged, stale

# The platform default customer: its routes serve every customer, after the customer's own.
PLATFORM_CUSTOMER_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")

_RULES: dict[str, Callable[[object], Any]] = {
    "customer_id": route_rules.uuid_rule("customer_id"),
    "name": validation.clean_name,
    "detail": validation.clean_detail,
    "provider_id": route_rules.uuid_rule("provider_id"),
    "priority": route_rules.clean_priority,
    "weight": route_rules.clean_weight,
    "target": route_rules.clean_target,
}
# No silent defaults for what decides where calls go: whose route, which provider, which numbers,
# and in which order.
_REQUIRED_ON_CREATE = ("customer_id", "name", "provider_id", "priority", "target")
_DEFAULTS: Mapping[str, Any] = {"detail": "", "weight": route_rules.WEIGHT_DEFAULT}


async def create_route(values: Mapping[str, object]) -> Route:
    """A new route. Its provider must exist and not be deleted (NOT_FOUND at ``provider_id``)."""
    cleaned = clean_fields(values, _RULES, _REQUIRED_ON_CREATE)
    fields = {**_DEFAULTS, **cleaned}
    now = utcnow()

    async def insert(connection: BaseDBAsyncClient) -> Route:
        # Held until commit, so the provider cannot be deleted before the route is visible.
        await lock_live_provider(fields["provider_id"], connection, "provider_id")
        return await Route.create(
            id=uuid.uuid4(), tm_create=now, tm_update=now, using_db=connection, **fields
        )

    return await atomically(insert)


async def get_route(route_id: object) -> Route | None:
    """The route, soft-deleted ones included (they carry ``tm_delete``)."""
    return await Route.get_or_none(id=parse_id(route_id, "id"))


async def update_route(
    route_id: object, changes: Mapping[str, object], expected_tm_update: object = None
) -> Route:
    """Change only the fields given; a new provider must exist and not be deleted.

    With ``expected_tm_update``, only if the route is still at that version (else CONFLICT).
    """
    rid = parse_id(route_id, "id")
    cleaned = clean_fields(changes, _RULES)
    expected = expected_version(expected_tm_update)

    async def change(connection: BaseDBAsyncClient) -> None:
        live = Route.filter(id=rid, tm_delete__isnull=True).using_db(connection)
        current = await live.first()
        if current is None:
            raise not_found(f"no route with id {rid} (or it is deleted)", "id")
        if expected is not None and current.tm_update != expected:
            raise stale("route", rid, current.tm_update)
        if "provider_id" in cleaned:
            await lock_live_provider(cleaned["provider_id"], connection, "provider_id")
        # One UPDATE of just these columns: concurrent updates of other fields are kept.
        if cleaned and not await only_if_unchanged(live, expected).update(
            **cleaned, tm_update=utcnow()
        ):
            latest = await Route.filter(id=rid, tm_delete__isnull=True).first()
            if latest is None:
                raise not_found(f"no route with id {rid} (it was deleted meanwhile)", "id")
            raise stale("route", rid, latest.tm_update)

    await atomically(change)
    return await Route.get(id=rid)


async def delete_route(route_id: object) -> Route:
    """Soft delete: the record stays, with ``tm_delete`` set, and leaves listings and dial plans."""
    rid = parse_id(route_id, "id")
    now = utcnow()
    changed = await Route.filter(id=rid, tm_delete__isnull=True).update(
        tm_delete=now, tm_update=now
    )
    if not changed:
        raise not_found(f"no route with id {rid} (or it is already deleted)", "id")
    return await Route.get(id=rid)


@dataclass(frozen=True)
class RouteFilter:
    customer_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    target: str | None = None
    include_deleted: bool = False


def _filtered(flt: RouteFilter) -> QuerySet[Route]:
    query = Route.all()
    if not flt.include_deleted:
        query = query.filter(tm_delete__isnull=True)
    if flt.customer_id is not None:
        query = query.filter(customer_id=flt.customer_id)
    if flt.provider_id is not None:
        query = query.filter(provider_id=flt.provider_id)
    if flt.target is not None:
        # Stored in canonical form ("ALL" is stored "all"); a filter that could never match a
        # valid target just matches nothing.
        try:
            target = route_rules.clean_target(flt.target)
        except validation.InvalidValue:
            target = filter_text(flt.target, column_length(Route, "target"), "filter", "target")
        query = query.filter(target=target)
    return query


async def list_routes(flt: RouteFilter, first: int | None, after: str | None) -> Page[Route]:
    """One page, newest first: one SQL query whatever the page size."""
    return await newest_first_page(_filtered(flt), first, after)


async def count_routes(flt: RouteFilter) -> int:
    return await _filtered(flt).count()


__all__ = [
    "PLATFORM_CUSTOMER_ID",
    "RouteFilter",
    "count_routes",
    "create_route",
    "delete_route",
    "get_route",
    "list_routes",
    "update_route",
]
