"""How a property looks at a validator's answer: the value it returns, or a refusal that must be an
``InvalidValue`` whose message is safe to log and to return to a client."""

from collections.abc import Callable
from typing import Any

from services.validation import InvalidValue


def outcome(rule: Callable[[object], Any], value: object) -> Any | InvalidValue:
    """The rule's result, or its refusal, which must be a safe ``InvalidValue``: it says what is
    allowed, carries no raw control characters and is of bounded size. Any other exception
    propagates and fails the property."""
    try:
        return rule(value)
    except InvalidValue as refusal:
        caught = refusal
    assert caught.message, "a refusal must say what is allowed"
    assert not any(ch in caught.message for ch in "\r\n\x00\x7f"), caught.message
    assert len(caught.message) < 600, len(caught.message)
    return caught


def no_control(text: str, allowed: str = "") -> bool:
    """Whether ``text`` has no control character (Unicode Cc: C0, DEL, C1) outside ``allowed``."""
    return not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text if ch not in allowed)
