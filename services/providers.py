"""Provider records: create, read, list, change and soft-delete, with every input rule applied.

Functions take the client's raw values (whatever types arrived) keyed by the record's field names,
so one rule per field lives in ``services.validation`` and runs the same for every caller.
"""

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from models.enums import HealthStatus, ProviderType
from models.provider import Provider
from models.route import Route
from services import validation
from services.cleaning import clean_fields
from services.clock import utcnow
from services.errors import ErrorCode, ServiceError, invalid, not_found
from services.filters import column_length, filter_text
from services.ids import parse_id
from services.pagination import Page, newest_first_page
from services.transactions import atomically
from services.versioning import expected_version, only_if_unchanged, stale


def _clean_type(value: object) -> ProviderType:
    if isinstance(value, ProviderType):
        return value
    if isinstance(value, str):
        try:
            return ProviderType(value.lower())
        except ValueError:
            pass
    allowed = ", ".join(t.name for t in ProviderType)
    raise validation.InvalidValue(f"type must be one of: {allowed}")


# Field name → the rule that checks and normalises it. The only place that says which rule
# applies to which field.
_RULES: dict[str, Callable[[object], Any]] = {
    "name": validation.clean_name,
    "detail": validation.clean_detail,
    "type": _clean_type,
    "hostname": validation.clean_hostname,
    "tech_prefix": validation.clean_tech_prefix,
    "tech_postfix": validation.clean_tech_postfix,
    "tech_headers": validation.clean_tech_headers,
    "codecs": validation.clean_codecs,
    "metadata": validation.clean_metadata,
}
_REQUIRED_ON_CREATE = ("name", "hostname")
_DEFAULTS: dict[str, Callable[[], Any]] = {
    "detail": str,
    "type": lambda: ProviderType.SIP,
    "tech_prefix": str,
    "tech_postfix": str,
    "tech_headers": dict,
    "codecs": str,
    "metadata": dict,
}


# A provider's health before anything is observed of it (a new hostname is a new peer).
HEALTH_RESET: Mapping[str, Any] = {
    "health_status": HealthStatus.UNKNOWN,
    "health_checked_at": None,
    "health_latency_ms": None,
    "health_last_error": None,
    "health_failures": 0,
    "health_successes": 0,
}


async def create_provider(values: Mapping[str, object]) -> Provider:
    return await insert_provider(clean_fields(values, _RULES, _REQUIRED_ON_CREATE))


async def insert_provider(
    cleaned: Mapping[str, Any], using_db: BaseDBAsyncClient | None = None
) -> Provider:
    """Insert a provider from values that already passed their rules (see ``create_provider``)."""
    now = utcnow()
    fields = {name: make() for name, make in _DEFAULTS.items()}
    fields.update(cleaned)
    return await Provider.create(
        id=uuid.uuid4(), tm_create=now, tm_update=now, using_db=using_db, **fields
    )


async def get_provider(provider_id: object) -> Provider | None:
    """The provider, soft-deleted ones included (they carry ``tm_delete``)."""
    return await Provider.get_or_none(id=parse_id(provider_id, "id"))


async def _get_live(provider_id: uuid.UUID) -> Provider:
    provider = await Provider.get_or_none(id=provider_id, tm_delete__isnull=True)
    if provider is None:
        raise not_found(f"no provider with id {provider_id}", "id")
    return provider


# Told (after the change is stored) that a provider's health was reset, and from what status.
HealthReset = Callable[[Provider, HealthStatus], Awaitable[None]]


async def update_provider(
    provider_id: object,
    changes: Mapping[str, object],
    expected_tm_update: object = None,
    on_health_reset: HealthReset | None = None,
) -> Provider:
    """Change only the fields given. A new hostname is another peer, so its health is unknown
    (and ``on_health_reset`` hears of it, to tell health subscribers).

    With ``expected_tm_update``, only if the provider is still at that version (else CONFLICT).
    """
    pid = parse_id(provider_id, "id")
    cleaned = clean_fields(changes, _RULES)
    expected = expected_version(expected_tm_update)
    current = await _get_live(pid)
    if expected is not None and current.tm_update != expected:
        raise stale("provider", pid, current.tm_update)
    if not cleaned:
        return current
    updates: dict[str, Any] = dict(cleaned)
    reset = "hostname" in cleaned and cleaned["hostname"] != current.hostname
    if reset:
        updates.update(HEALTH_RESET)
    updates["tm_update"] = utcnow()
    # One UPDATE of just these columns: concurrent updates of other fields are not overwritten.
    live = Provider.filter(id=pid, tm_delete__isnull=True)
    if not await only_if_unchanged(live, expected).update(**updates):
        latest = await _get_live(pid)  # NOT_FOUND if it was deleted meanwhile
        raise stale("provider", pid, latest.tm_update)
    updated = await _get_live(pid)
    if reset and on_health_reset is not None:
        await on_health_reset(updated, current.health_status)
    return updated


async def providers_by_id(ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Provider]:
    """The providers with these ids, deleted ones included, in one query."""
    return {row.id: row for row in await Provider.filter(id__in=list(ids))}


async def lock_live_provider(
    provider_id: uuid.UUID, connection: BaseDBAsyncClient, *field: str
) -> Provider:
    """The live provider, locked until ``connection``'s transaction ends; NOT_FOUND at ``field``.

    Whoever adds a route to a provider and whoever deletes the provider both take this lock first,
    so neither acts on what the other is about to change: a route is never created for a provider
    being deleted, and a deletion never misses a route being created. (PostgreSQL: a row lock that
    still lets foreign keys reference the row. SQLite: its transactions already run one at a
    time.)
    """
    provider = (
        await Provider.filter(id=provider_id, tm_delete__isnull=True)
        .select_for_update(no_key=True)
        .using_db(connection)
        .first()
    )
    if provider is None:
        raise not_found(f"no provider with id {provider_id} (or it is deleted)", *field)
    return provider


async def delete_provider(provider_id: object) -> Provider:
    """Soft delete: the record stays, with ``tm_delete`` set, and leaves listings and routing.

    Refused with CONFLICT while live routes use the provider: they would silently stop routing.
    """
    pid = parse_id(provider_id, "id")

    async def soft_delete(connection: BaseDBAsyncClient) -> None:
        await lock_live_provider(pid, connection, "id")
        in_use = (
            await Route.filter(provider_id=pid, tm_delete__isnull=True).using_db(connection).count()
        )
        if in_use:
            routes = "route uses" if in_use == 1 else "routes use"
            raise ServiceError.single(
                ErrorCode.CONFLICT,
                f"{in_use} {routes} provider {pid}; delete those routes or move them to another "
                "provider first",
                "id",
            )
        now = utcnow()
        await Provider.filter(id=pid).using_db(connection).update(tm_delete=now, tm_update=now)

    await atomically(soft_delete)
    return await Provider.get(id=pid)


@dataclass(frozen=True)
class ProviderFilter:
    name_contains: str | None = None
    hostname: str | None = None
    health_status: HealthStatus | None = None
    include_deleted: bool = False


def _filtered(flt: ProviderFilter) -> QuerySet[Provider]:
    query = Provider.all()
    if not flt.include_deleted:
        query = query.filter(tm_delete__isnull=True)
    if flt.name_contains:
        query = query.filter(
            name__icontains=filter_text(
                flt.name_contains, column_length(Provider, "name"), "filter", "nameContains"
            )
        )
    if flt.hostname is not None:
        # Stored lower-case; a filter that could never match a valid hostname just matches nothing.
        hostname = filter_text(
            flt.hostname, column_length(Provider, "hostname"), "filter", "hostname"
        )
        query = query.filter(hostname=hostname.strip().lower())
    if flt.health_status is not None:
        query = query.filter(health_status=flt.health_status)
    return query


async def list_providers(
    flt: ProviderFilter, first: int | None, after: str | None
) -> Page[Provider]:
    """One page, newest first: one SQL query whatever the page size."""
    return await newest_first_page(_filtered(flt), first, after)


async def count_providers(flt: ProviderFilter) -> int:
    return await _filtered(flt).count()


def format_number(provider: Provider, number: object) -> str:
    """The spec's dialed form of a number as a client typed it (see ``dialed_number``)."""
    try:
        normalized = validation.normalize_number(number)
    except validation.InvalidValue as exc:
        raise invalid(exc.message, "number") from None
    return dialed_number(provider, normalized)


def dialed_number(provider: Provider, normalized: str) -> str:
    """tech_prefix + number + tech_postfix (``1`` + ``+15551234567``), for a number already
    through ``validation.normalize_number``."""
    return f"{provider.tech_prefix}{normalized}{provider.tech_postfix}"


__all__ = [
    "ProviderFilter",
    "count_providers",
    "create_provider",
    "delete_provider",
    "dialed_number",
    "format_number",
    "get_provider",
    "insert_provider",
    "list_providers",
    "lock_live_provider",
    "providers_by_id",
    "update_provider",
]
