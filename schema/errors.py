"""How expected failures reach clients.

Mutations return them as ``userErrors`` (data, with an ``ErrorCode``); queries, which have no
payload to carry them, raise a GraphQL error whose ``extensions.code`` is the same ``ErrorCode``
name.
"""

import strawberry
from graphql import GraphQLError

from services.errors import ErrorCode, ServiceError

ErrorCodeEnum = strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="Why an operation was refused. Stable: clients may switch on it.",
)


@strawberry.type(description="A problem with the input or the operation, as data.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path of the offending input field, e.g. ["input", "codecs"]; null when no one '
        "field is to blame."
    )
    code: ErrorCode
    message: str


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def field_path(service_field: tuple[str, ...], root: str | None) -> list[str] | None:
    """A service's field path in the client's terms: camelCase, under the argument ``root``.

    Only the first element is a field name; what follows (a header name, say) is the client's own
    data and kept as given.
    """
    if not service_field:
        return [root] if root else None
    head, *rest = service_field
    return [*([root] if root else []), _camel(head), *rest]


def user_errors(exc: ServiceError, root: str = "input") -> list[UserError]:
    return [
        UserError(field=field_path(e.field, root), code=e.code, message=e.message)
        for e in exc.errors
    ]


def query_error(exc: ServiceError) -> GraphQLError:
    """One GraphQL error for a refused query argument."""
    first = exc.errors[0]
    return GraphQLError(
        "; ".join(e.message for e in exc.errors),
        extensions={"code": first.code.name, "field": field_path(first.field, None)},
    )
