"""Reading GraphQL input objects."""

from collections.abc import Iterable

import strawberry


def given_fields(input: object, names: Iterable[str]) -> dict[str, object]:
    """The fields the client sent, by name. An omitted field is UNSET; an explicit null is None
    and is kept, so the service can refuse it."""
    values = {name: getattr(input, name) for name in names}
    return {name: value for name, value in values.items() if value is not strawberry.UNSET}
