"""Reading GraphQL input objects."""

from collections.abc import Iterable
from datetime import datetime

import strawberry


def given_fields(input: object, names: Iterable[str]) -> dict[str, object]:
    """The fields the client sent, by name. An omitted field is UNSET; an explicit null is None
    and is kept, so the service can refuse it."""
    values = {name: getattr(input, name) for name in names}
    return {name: value for name, value in values.items() if value is not strawberry.UNSET}


def expected_tm_update_field() -> datetime | None:
    """The optional ``expectedTmUpdate`` of update inputs (optimistic concurrency)."""
    value: datetime | None = strawberry.field(
        default=None,
        description="Optional: the tmUpdate you last read. If the record changed since, nothing "
        "is written and the answer is a CONFLICT userError.",
    )
    return value
