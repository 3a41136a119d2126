"""Expected failures of the domain, as data.

Services raise ``ServiceError`` (with one or more ``FieldError``) for anything a client can cause or
fix: bad input, a missing record, a carrier that refused. The GraphQL layer turns them into
``userErrors``; a REST facade could turn them into status codes. Anything else is a bug, and is
masked.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    CARRIER_CREDENTIALS_REJECTED = "carrier_credentials_rejected"
    CARRIER_UNAVAILABLE = "carrier_unavailable"
    UNSUPPORTED_CARRIER = "unsupported_carrier"


@dataclass(frozen=True)
class FieldError:
    """One problem. ``field`` is the path inside the service's input, in the service's own
    (snake_case) names, e.g. ``("tech_headers", "X-Foo")``; empty when no one field is to blame."""

    field: tuple[str, ...]
    code: ErrorCode
    message: str


class ServiceError(Exception):
    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("a ServiceError needs at least one FieldError")
        self.errors = tuple(errors)
        super().__init__("; ".join(e.message for e in self.errors))

    @classmethod
    def single(cls, code: ErrorCode, message: str, *field: str) -> "ServiceError":
        return cls([FieldError(field=field, code=code, message=message)])


def invalid(message: str, *field: str) -> ServiceError:
    return ServiceError.single(ErrorCode.INVALID_ARGUMENT, message, *field)


def not_found(message: str, *field: str) -> ServiceError:
    return ServiceError.single(ErrorCode.NOT_FOUND, message, *field)
