"""Listing filters' text values."""

from tortoise.models import Model

from services.errors import invalid


def column_length(model: type[Model], field: str) -> int:
    """The declared length of a model's text column (the one place that number lives)."""
    length: int = model._meta.fields_map[field].max_length  # type: ignore[attr-defined]
    return length


def filter_text(value: str, max_length: int, *field: str) -> str:
    """A text filter's value. Refused: NUL (U+0000), which no stored text holds (PostgreSQL cannot
    store it) and PostgreSQL fails to compare with; and text longer than the column, which could
    never match and which the database may refuse to compare rather than match nothing."""
    if "\x00" in value:
        raise invalid("filter text cannot contain NUL (U+0000)", *field)
    if len(value) > max_length:
        raise invalid(f"filter text is at most {max_length} characters", *field)
    return value
