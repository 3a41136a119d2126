"""Record ids are UUIDs; clients hand them over as strings."""

import uuid

from services.errors import invalid


def parse_id(value: object, *field: str) -> uuid.UUID:
    """The UUID in ``value``, or an INVALID_ARGUMENT error at ``field``."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    # Named after the field it is (customer_id, providerId, …): the client may have sent several.
    name = field[-1] if field else "id"
    raise invalid(
        f"{name} must be a UUID string such as 3fa85f64-5717-4562-b3fc-2c963f66afa6", *field
    )
