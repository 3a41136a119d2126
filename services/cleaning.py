"""Running a record's input through its field rules, every problem of one call reported at once.

Each domain module says which rule (a function of ``services.validation``'s kind: raw value in,
value to store out, ``InvalidValue`` if refused) checks which field; this is the one loop that
applies them and turns refusals into ``FieldError``s with their field path.
"""

from collections.abc import Callable, Collection, Mapping
from typing import Any

from services.errors import ErrorCode, FieldError, ServiceError
from services.validation import InvalidValue

Rule = Callable[[object], Any]


def clean_fields(
    values: Mapping[str, object],
    rules: Mapping[str, Rule],
    required: Collection[str] = (),
) -> dict[str, Any]:
    """Every given field through its rule. A ``required`` field that is missing or null is
    reported as required; any other null is refused (null never means "keep" or "clear")."""
    errors = [
        FieldError((field,), ErrorCode.INVALID_ARGUMENT, f"{field} is required")
        for field in required
        if values.get(field) is None
    ]
    cleaned: dict[str, Any] = {}
    for field, raw in values.items():
        rule = rules.get(field)
        if rule is None:
            errors.append(
                FieldError((field,), ErrorCode.INVALID_ARGUMENT, f"unknown field {field}")
            )
        elif raw is None:
            if field not in required:
                errors.append(
                    FieldError(
                        (field,),
                        ErrorCode.INVALID_ARGUMENT,
                        f"{field} cannot be null; omit it to keep the current value",
                    )
                )
        else:
            try:
                cleaned[field] = rule(raw)
            except InvalidValue as exc:
                errors.append(
                    FieldError((field, *exc.subpath), ErrorCode.INVALID_ARGUMENT, exc.message)
                )
    if errors:
        raise ServiceError(errors)
    return cleaned
