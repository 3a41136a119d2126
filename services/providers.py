"""Provider records: create, read, list, change and soft-delete, with every input rule applied.

Functions take the client's raw values (whatever types arrived) keyed by the record's field names,
so one rule per field lives in ``services.validation`` and runs the same for every caller.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from models.enums import HealthStatus, ProviderType
from models.provider import Provider
from services import validation
from services.clock import utcnow
from services.errors import ErrorCode, FieldError, ServiceError, invalid, not_found
from services.ids import parse_id
from services.pagination import Cursor, Page, check_page_size


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


def _clean(values: Mapping[str, object]) -> dict[str, Any]:
    """Every given field through its rule; all problems reported together."""
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field, raw in values.items():
        rule = _RULES.get(field)
        if rule is None:
            errors.append(
                FieldError((field,), ErrorCode.INVALID_ARGUMENT, f"unknown field {field}")
            )
            continue
        if raw is None:
            errors.append(
                FieldError(
                    (field,),
                    ErrorCode.INVALID_ARGUMENT,
                    f"{field} cannot be null; omit it to keep the current value",
                )
            )
            continue
        try:
            cleaned[field] = rule(raw)
        except validation.InvalidValue as exc:
            errors.append(
                FieldError((field, *exc.subpath), ErrorCode.INVALID_ARGUMENT, exc.message)
            )
    if errors:
        raise ServiceError(errors)
    return cleaned


async def create_provider(values: Mapping[str, object]) -> Provider:
    missing = [
        FieldError((field,), ErrorCode.INVALID_ARGUMENT, f"{field} is required")
        for field in _REQUIRED_ON_CREATE
        if values.get(field) is None
    ]
    given = {k: v for k, v in values.items() if not (k in _REQUIRED_ON_CREATE and v is None)}
    try:
        cleaned = _clean(given)
    except ServiceError as exc:
        raise ServiceError([*missing, *exc.errors]) from None
    if missing:
        raise ServiceError(missing)
    return await insert_provider(cleaned)


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


async def update_provider(provider_id: object, changes: Mapping[str, object]) -> Provider:
    """Change only the fields given. A new hostname is another peer, so its health is unknown."""
    pid = parse_id(provider_id, "id")
    cleaned = _clean(changes)
    current = await _get_live(pid)
    if not cleaned:
        return current
    updates: dict[str, Any] = dict(cleaned)
    if "hostname" in cleaned and cleaned["hostname"] != current.hostname:
        updates.update(HEALTH_RESET)
    updates["tm_update"] = utcnow()
    # One UPDATE of just these columns: concurrent updates of other fields are not overwritten.
    changed = await Provider.filter(id=pid, tm_delete__isnull=True).update(**updates)
    if not changed:
        raise not_found(f"no provider with id {pid}", "id")
    return await _get_live(pid)


async def delete_provider(provider_id: object) -> Provider:
    """Soft delete: the record stays, with ``tm_delete`` set, and leaves listings and routing."""
    pid = parse_id(provider_id, "id")
    now = utcnow()
    changed = await Provider.filter(id=pid, tm_delete__isnull=True).update(
        tm_delete=now, tm_update=now
    )
    if not changed:
        raise not_found(f"no provider with id {pid} (or it is already deleted)", "id")
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
        query = query.filter(name__icontains=flt.name_contains)
    if flt.hostname is not None:
        # Stored lower-case; a filter that could never match a valid hostname just matches nothing.
        query = query.filter(hostname=flt.hostname.strip().lower())
    if flt.health_status is not None:
        query = query.filter(health_status=flt.health_status)
    return query


async def list_providers(
    flt: ProviderFilter, first: int | None, after: str | None
) -> Page[Provider]:
    """One page, newest first: one SQL query whatever the page size."""
    size = check_page_size(first)
    query = _filtered(flt)
    if after is not None:
        query = query.filter(Cursor.decode(after).after_q())
    if size == 0:
        return Page(items=[], has_next_page=await query.exists())
    rows = await query.order_by("-tm_create", "-id").limit(size + 1)
    items = [(Cursor(row.tm_create, row.id).encode(), row) for row in rows[:size]]
    return Page(items=items, has_next_page=len(rows) > size)


async def count_providers(flt: ProviderFilter) -> int:
    return await _filtered(flt).count()


def format_number(provider: Provider, number: object) -> str:
    """The spec's dialed form: tech_prefix + number + tech_postfix (``1`` + ``+15551234567``)."""
    try:
        normalized = validation.normalize_number(number)
    except validation.InvalidValue as exc:
        raise invalid(exc.message, "number") from None
    return f"{provider.tech_prefix}{normalized}{provider.tech_postfix}"


__all__ = [
    "ProviderFilter",
    "count_providers",
    "create_provider",
    "delete_provider",
    "format_number",
    "get_provider",
    "insert_provider",
    "list_providers",
    "update_provider",
]
