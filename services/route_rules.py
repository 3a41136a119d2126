"""Validation of the values a client may set on a route (see ``services.validation`` for the
conventions: pure functions, raw value in, value to store out, ``InvalidValue`` if refused)."""

import re
import uuid
from collections.abc import Callable

from services.errors import ServiceError
from services.ids import parse_id
from services.validation import E164_MAX_DIGITS, InvalidValue

__all__ = [
    "PRIORITY_MAX",
    "TARGET_ALL",
    "WEIGHT_DEFAULT",
    "WEIGHT_MAX",
    "WEIGHT_MIN",
    "clean_priority",
    "clean_target",
    "clean_weight",
    "uuid_rule",
]

# A route for every number, after the prefix routes of the same customer.
TARGET_ALL = "all"
PRIORITY_MAX = 65535
# SRV-style weights (RFC 2782) but without weight 0: every route carries some share of its
# priority's calls. A route meant to carry none is given a higher priority (or deleted) instead.
WEIGHT_MIN = 1
WEIGHT_MAX = 65535
WEIGHT_DEFAULT = 10

_PREFIX_RE = re.compile(rf"\+[0-9]{{1,{E164_MAX_DIGITS}}}")
_ECHO_LIMIT = 24


def clean_target(value: object) -> str:
    """Which numbers the route serves: ``all``, or an E.164 prefix in compact form (``+4420``).

    Prefixes are compared with the normalised number character by character, so they must be
    written exactly as numbers are normalised: '+' then digits, no grouping. Without the '+' a
    prefix would be ambiguous (national or international?), so ``44`` is refused, not guessed.
    """
    rule = (
        f"target must be '{TARGET_ALL}' or an E.164 prefix: '+' and 1-{E164_MAX_DIGITS} digits, "
        "e.g. '+1', '+44', '+4420'"
    )
    if not isinstance(value, str):
        raise InvalidValue(f"{rule}; got {type(value).__name__}")
    if value.lower() == TARGET_ALL:
        return TARGET_ALL
    if _PREFIX_RE.fullmatch(value):
        return value
    digits = value.removeprefix("+")
    if digits.isascii() and digits.isdigit():
        if not value.startswith("+"):
            raise InvalidValue(f"{rule}; got {_echo(value)}, which has no leading '+'")
        raise InvalidValue(f"{rule}; got {len(digits)} digits")
    if not digits:
        raise InvalidValue(f"{rule}; got {_echo(value)} without digits")
    raise InvalidValue(f"{rule}; got {_echo(value)}")


def clean_priority(value: object) -> int:
    """Lower is tried first, as in DNS SRV records."""
    return _clean_int(value, "priority", 0, PRIORITY_MAX)


def clean_weight(value: object) -> int:
    """Share of the calls among routes of equal priority (RFC 2782), 1-65535."""
    return _clean_int(value, "weight", WEIGHT_MIN, WEIGHT_MAX)


def uuid_rule(field: str) -> Callable[[object], uuid.UUID]:
    """A rule for a field holding a record's id (a UUID string)."""

    def clean(value: object) -> uuid.UUID:
        try:
            return parse_id(value)
        except ServiceError:
            raise InvalidValue(
                f"{field} must be a UUID string such as 3fa85f64-5717-4562-b3fc-2c963f66afa6; "
                f"got {_echo(str(value))}"
            ) from None

    return clean


def _clean_int(value: object, field: str, low: int, high: int) -> int:
    # bool is an int in Python, but true is not a priority.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidValue(f"{field} must be an integer from {low} to {high}")
    if not low <= value <= high:
        raise InvalidValue(f"{field} must be an integer from {low} to {high}; got {value}")
    return value


def _echo(text: str) -> str:
    """``text`` quoted and escaped for an error message, cut to a readable length."""
    if len(text) > _ECHO_LIMIT:
        return repr(text[:_ECHO_LIMIT]) + "..."
    return repr(text)
