"""Listing filters' text values."""

from services.errors import invalid


def filter_text(value: str, *field: str) -> str:
    """A text filter's value. NUL (U+0000) is refused: no stored text holds it (PostgreSQL cannot
    store it), and PostgreSQL fails a comparison with it instead of matching nothing."""
    if "\x00" in value:
        raise invalid("filter text cannot contain NUL (U+0000)", *field)
    return value
