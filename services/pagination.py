"""Keyset pagination for newest-first listings.

A cursor names the last row a client has seen by its sort key ``(tm_create, id)``; the next page is
the rows strictly after it in that order. Unlike an offset, the cost does not grow with the depth of
the page and rows inserted meanwhile neither shift nor repeat what the client sees.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar, cast

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from services.errors import invalid

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_CURSOR_VERSION = "k1"

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class Keyed(Protocol):
    """A row of a newest-first listing: what its cursor is made of."""

    tm_create: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class Cursor:
    tm_create: datetime
    id: uuid.UUID

    @classmethod
    def of(cls, row: Keyed) -> "Cursor":
        return cls(tm_create=row.tm_create, id=row.id)

    def encode(self) -> str:
        raw = json.dumps([_CURSOR_VERSION, self.tm_create.isoformat(), str(self.id)])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "Cursor":
        # A cursor is client input: anything but exactly what encode() makes is refused, however
        # it fails to parse (nested JSON that exhausts recursion, values of the wrong types, ...).
        try:
            padded = value + "=" * (-len(value) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded))
            if not (
                isinstance(decoded, list)
                and len(decoded) == 3
                and all(isinstance(part, str) for part in decoded)
                and decoded[0] == _CURSOR_VERSION
            ):
                raise ValueError("not a cursor")
            moment = datetime.fromisoformat(decoded[1])
            if moment.tzinfo is None:
                raise ValueError("naive time")
            moment.astimezone(UTC)  # OverflowError when the instant is outside datetime's range
            return cls(tm_create=moment, id=uuid.UUID(decoded[2]))
        except (
            ValueError,
            TypeError,
            OverflowError,
            RecursionError,
            binascii.Error,
            UnicodeDecodeError,
        ):
            raise invalid(
                "after must be an endCursor or cursor returned by this listing", "after"
            ) from None

    def after_q(self) -> Q:
        """Rows that come after this cursor in newest-first order.

        The leading ``tm_create <= cursor`` is implied by the rest, and it is what makes the page
        an index range: with bound parameters SQLite (and PostgreSQL's generic plan for a prepared
        statement) cannot turn the bare ``OR`` into a range, and would walk the index from the
        newest row down to the cursor, so a deep page would cost like an offset (BENCHMARKS.md,
        finding 1)."""
        return Q(tm_create__lte=self.tm_create) & (
            Q(tm_create__lt=self.tm_create) | Q(tm_create=self.tm_create, id__lt=self.id)
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, item)
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None


def check_page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0 or first > MAX_PAGE_SIZE:
        raise invalid(
            f"first must be between 0 and {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})", "first"
        )
    return first


async def newest_first_page(query: QuerySet[M], first: int | None, after: str | None) -> Page[M]:
    """One page of ``query``'s rows (a model with ``tm_create`` and ``id``), newest first: one SQL
    query whatever the page size or depth."""
    size = check_page_size(first)
    if size == 0:
        return Page(items=[], has_next_page=await _after(query, after).exists())
    rows = await page_query(query, size, after)
    # Model's type cannot say that these models have tm_create and id; order_by relies on it too.
    items = [(Cursor.of(cast(Keyed, row)).encode(), row) for row in rows[:size]]
    return Page(items=items, has_next_page=len(rows) > size)


def page_query(query: QuerySet[M], size: int, after: str | None) -> QuerySet[M]:
    """The one SQL query of a page of ``size`` rows: one row more, to tell whether more follow."""
    return _after(query, after).order_by("-tm_create", "-id").limit(size + 1)


def _after(query: QuerySet[M], after: str | None) -> QuerySet[M]:
    return query if after is None else query.filter(Cursor.decode(after).after_q())
