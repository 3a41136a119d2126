"""Optimistic concurrency: a client that read a record may say which version it changes
(``expected_tm_update``, the ``tmUpdate`` it saw); if someone changed the record since, the update
is refused with CONFLICT instead of silently overwriting their change."""

from datetime import datetime
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from services.errors import ErrorCode, ServiceError, invalid

FIELD = "expected_tm_update"
M = TypeVar("M", bound=Model)


def expected_version(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise invalid(f"{FIELD} must be a tmUpdate value as returned, with its UTC offset", FIELD)
    return value


def only_if_unchanged(query: QuerySet[M], expected: datetime | None) -> QuerySet[M]:
    """Narrows an UPDATE to the version the client saw, so check and write are one statement."""
    return query if expected is None else query.filter(tm_update=expected)


def stale(kind: str, record_id: object, current: datetime) -> ServiceError:
    return ServiceError.single(
        ErrorCode.CONFLICT,
        f"{kind} {record_id} was changed at {current.isoformat()}, after the version you expected; "
        "read it again and retry",
        FIELD,
    )
