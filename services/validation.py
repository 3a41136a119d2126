"""Validation and normalisation of the values a client may set on a SIP trunk provider.

Most of these values end up verbatim in SIP messages that the platform sends to carriers: the
hostname becomes the host of a Request-URI, the tech prefix/postfix are glued into its user part,
and custom headers are written as raw header lines. SIP is a text protocol framed by CRLF
(RFC 3261 section 7), so a stray CR or LF is header injection, and a character outside the URI
grammar (RFC 3261 section 25.1) makes the carrier reject the call with a 400. The rules below
therefore accept only what keeps the generated messages well formed, and normalise values so
that equal settings are stored equally.

Every function is pure: it takes the raw client value (any type, since it comes from JSON),
returns the value to store, or raises ``InvalidValue`` whose message says what is allowed. A value
of the wrong type is refused, never coerced. Echoed input is capped and ``repr``-escaped so an
error message can never carry a huge value or raw control characters into logs or responses.
"""

import ipaddress
import json
import math
import re
import string
import unicodedata
from typing import Any, Final

__all__ = [
    "RESERVED_SIP_HEADERS",
    "SUPPORTED_CODECS",
    "InvalidValue",
    "clean_codecs",
    "clean_detail",
    "clean_hostname",
    "clean_metadata",
    "clean_name",
    "clean_tech_headers",
    "clean_tech_postfix",
    "clean_tech_prefix",
    "normalize_number",
]


class InvalidValue(ValueError):
    """A value broke a rule. `message` says what is allowed. `subpath` locates the bad part inside
    the value (e.g. ("X-Foo",) for one header of tech_headers), empty for the value as a whole."""

    message: str
    subpath: tuple[str, ...]

    def __init__(self, message: str, subpath: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.subpath = tuple(subpath)


# Canonical spellings, in the order they are documented to clients.
SUPPORTED_CODECS: tuple[str, ...] = (
    "PCMU",
    "PCMA",
    "G722",
    "G723",
    "G726",
    "G728",
    "G729",
    "GSM",
    "iLBC",
    "OPUS",
    "SPEEX",
    "AMR",
    "AMR-WB",
    "SILK",
    "L16",
    "telephone-event",
)

# Headers the platform writes itself (routing, dialog state, authentication, identity, body
# framing, extensions negotiation). Letting a client set them would break or hijack the dialog.
# Lower-case; compact forms (RFC 3261 section 7.3.3 and extensions) are listed too.
RESERVED_SIP_HEADERS: frozenset[str] = frozenset(
    {
        "via",
        "v",
        "from",
        "f",
        "to",
        "t",
        "call-id",
        "i",
        "cseq",
        "contact",
        "m",
        "max-forwards",
        "content-length",
        "l",
        "content-type",
        "c",
        "content-encoding",
        "e",
        "route",
        "record-route",
        "p-asserted-identity",
        "p-preferred-identity",
        "privacy",
        "authorization",
        "proxy-authorization",
        "www-authenticate",
        "proxy-authenticate",
        "allow",
        "supported",
        "k",
        "require",
        "proxy-require",
        "expires",
        "session-expires",
        "x",
        "min-se",
        "event",
        "o",
        "allow-events",
        "u",
        "refer-to",
        "r",
        "referred-by",
        "b",
        "replaces",
        "rseq",
        "rack",
        "subscription-state",
    }
)

NAME_MAX_LENGTH = 255
DETAIL_MAX_LENGTH = 4096
HOSTNAME_MAX_LENGTH = 253
DNS_LABEL_MAX_LENGTH = 63
TECH_AFFIX_MAX_LENGTH = 64
TECH_HEADERS_MAX_COUNT = 32
TECH_HEADER_NAME_MAX_LENGTH = 128
TECH_HEADER_VALUE_MAX_LENGTH = 1024
CODECS_MAX_LENGTH = 255
METADATA_MAX_CHARS = 16384
METADATA_MAX_DEPTH = 8
E164_MAX_DIGITS = 15

_ECHO_LIMIT = 40

_HOSTNAME_RULE = (
    "hostname must be a DNS name, an IPv4 address or a bracketed IPv6 address, "
    "optionally with :port (1-65535)"
)
_DNS_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
_IPV4_OCTET_RE = re.compile(r"0|[1-9][0-9]{0,2}")
_PORT_RE = re.compile(r"[1-9][0-9]{0,4}")
# "scheme:" or "scheme://" at the start (RFC 3986 scheme syntax).
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(//)?")
# Schemes that are refused even without "//" ("sip:host"); any scheme followed by "//" is too.
_KNOWN_SCHEMES = frozenset(
    {"sip", "sips", "tel", "http", "https", "ws", "wss", "tcp", "udp", "tls"}
)
_URI_PART_NAMES = {
    "@": "a user part",
    "/": "a path",
    "?": "a query",
    "#": "a fragment",
    ";": "URI parameters",
}

_URI_SAFE_CHARS = frozenset(string.ascii_letters + string.digits + "-_.!~*'()&=+$,;?/")
_URI_SAFE_TEXT = "ASCII letters, digits, -_.!~*'()&=+$,;?/ and %HH escapes"
_HEX_DIGITS = frozenset(string.hexdigits)

# RFC 3261 section 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" /
# "'" / "~")
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "-.!%*_+`'~")
_HEADER_NAME_CHARS_TEXT = "ASCII letters, digits and -.!%*_+`'~"

_NUMBER_SEPARATORS = frozenset(" ()-.")


# --- shared helpers ---------------------------------------------------------------------------


def _echo(text: str) -> str:
    """``text`` quoted and escaped for an error message, cut to a readable length."""
    if len(text) > _ECHO_LIMIT:
        return repr(text[:_ECHO_LIMIT]) + "..."
    return repr(text)


def _char(ch: str) -> str:
    """One character for an error message: escaped, with its code point."""
    return f"{ch!r} (U+{ord(ch):04X})"


def _kind(value: object) -> str:
    """The JSON-ish kind of a value, for 'wrong type' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _require_str(value: object, rule: str, subpath: tuple[str, ...] = ()) -> str:
    if not isinstance(value, str):
        raise InvalidValue(f"{rule}; got {_kind(value)}", subpath)
    return value


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


# U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: not control characters to Unicode, but
# line breaks to JavaScript, str.splitlines() and many log viewers.
LINE_SEPARATORS: Final = frozenset("\u2028\u2029")


def _check_no_control(
    text: str,
    rule: str,
    allowed: frozenset[str] = frozenset(),
    subpath: tuple[str, ...] = (),
    also: frozenset[str] = frozenset(),
) -> None:
    """Refuse any control character (Unicode category Cc) of ``text`` not in ``allowed``, and
    any character in ``also``."""
    for index, ch in enumerate(text):
        if ch in also or (ch not in allowed and _is_control(ch)):
            raise InvalidValue(
                f"{rule}; got control character {_char(ch)} at position {index}", subpath
            )


def _check_max_length(text: str, limit: int, rule: str, subpath: tuple[str, ...] = ()) -> None:
    if len(text) > limit:
        raise InvalidValue(f"{rule}; got {len(text)} characters", subpath)


# --- name / detail ----------------------------------------------------------------------------


def clean_name(value: object) -> str:
    """A display name: trimmed, 1-255 characters, no control characters or line separators.

    Names show up in lists, logs and CSV exports; a CR/LF, U+2028 or NUL would forge log lines or
    break exports, so they are refused anywhere (even at the edges) rather than trimmed.
    """
    rule = (
        f"name must be a string of 1-{NAME_MAX_LENGTH} characters without control characters or "
        "line separators"
    )
    text = _require_str(value, rule)
    _check_no_control(text, rule, also=LINE_SEPARATORS)
    trimmed = text.strip()
    if not trimmed:
        raise InvalidValue(f"{rule}; got an empty name")
    _check_max_length(trimmed, NAME_MAX_LENGTH, rule)
    return trimmed


def clean_detail(value: object) -> str:
    """A free-text description: up to 4096 characters, kept as given.

    Line feeds and tabs are allowed for multi-line text; CR, NUL and other control characters are
    refused because they corrupt terminals, logs and exports (CR is never needed: LF ends lines).
    """
    rule = (
        f"detail must be a string of at most {DETAIL_MAX_LENGTH} characters; line feeds and tabs "
        "are allowed, other control characters are not"
    )
    text = _require_str(value, rule)
    _check_max_length(text, DETAIL_MAX_LENGTH, rule)
    _check_no_control(text, rule, allowed=frozenset("\n\t"))
    return text


# --- hostname ---------------------------------------------------------------------------------


def clean_hostname(value: object) -> str:
    """The host (and optional port) of the provider's SIP URI, lower-cased.

    It is written into ``sip:user@HOST:PORT`` Request-URIs, so it must be exactly the ``hostport``
    of RFC 3261 section 25.1: a RFC 1123 DNS name, an IPv4 dotted quad or a bracketed IPv6
    reference, with an optional port. Schemes, user parts, paths and whitespace are refused rather
    than stripped so a pasted URI is not silently misread. DNS names are case-insensitive, hence
    the lower-casing; internationalised names must be given in their ASCII (punycode) form.
    """
    text = _require_str(value, _HOSTNAME_RULE)
    if not text:
        raise InvalidValue(f"{_HOSTNAME_RULE}; got an empty string")
    _check_hostname_characters(text)
    _check_not_a_uri(text)
    if text.startswith("["):
        host, port = _split_bracketed_ipv6(text)
    else:
        if text.count(":") > 1:
            raise InvalidValue(_unbracketed_ipv6_message(text))
        host_part, colon, port_part = text.partition(":")
        host = _clean_dns_name_or_ipv4(host_part)
        port = _clean_port(port_part) if colon else None
    return host if port is None else f"{host}:{port}"


def _check_hostname_characters(text: str) -> None:
    for index, ch in enumerate(text):
        if ch.isspace():
            raise InvalidValue(
                f"{_HOSTNAME_RULE} and no whitespace; got {_char(ch)} at position {index}"
            )
        if _is_control(ch):
            raise InvalidValue(
                f"{_HOSTNAME_RULE}; got control character {_char(ch)} at position {index}"
            )
        if not ch.isascii():
            raise InvalidValue(
                f"{_HOSTNAME_RULE}, in ASCII (write internationalised names in punycode, "
                f"'xn--...'); got non-ASCII character {_char(ch)} at position {index}"
            )


def _check_not_a_uri(text: str) -> None:
    """Refuse a scheme, user part, path, query, fragment or parameters around the host."""
    match = _SCHEME_RE.match(text)
    if match is not None:
        rest = text[match.end() :]
        scheme = match.group(1).lower()
        # "sip:5060" is host "sip" with port 5060, not a scheme.
        if match.group(2) or (scheme in _KNOWN_SCHEMES and not rest.isdigit()):
            raise InvalidValue(
                f"{_HOSTNAME_RULE}, without a scheme; got a scheme {_echo(match.group(0))}"
            )
    positions = [(text.find(ch), ch) for ch in _URI_PART_NAMES if ch in text]
    if positions:
        index, ch = min(positions)
        part = text[: index + 1] if ch == "@" else text[index:]
        raise InvalidValue(f"{_HOSTNAME_RULE}; got {_URI_PART_NAMES[ch]} {_echo(part)}")


def _split_bracketed_ipv6(text: str) -> tuple[str, str | None]:
    close = text.find("]")
    if close < 0:
        raise InvalidValue(f"{_HOSTNAME_RULE}; got {_echo(text)} with no closing ']'")
    inner = text[1:close]
    rest = text[close + 1 :]
    try:
        if "%" in inner:  # zone ids are meaningless to a remote carrier and not in RFC 3261
            raise ValueError(inner)
        ipaddress.IPv6Address(inner)
    except ValueError:
        raise InvalidValue(
            f"{_HOSTNAME_RULE}; got {_echo(inner)} in brackets, which is not an IPv6 address"
        ) from None
    host = f"[{inner.lower()}]"
    if not rest:
        return host, None
    if not rest.startswith(":"):
        raise InvalidValue(f"{_HOSTNAME_RULE}; only ':port' may follow ']', got {_echo(rest)}")
    return host, _clean_port(rest[1:])


def _unbracketed_ipv6_message(text: str) -> str:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return (
            f"{_HOSTNAME_RULE}; got more than one ':' in {_echo(text)} "
            "(an IPv6 address must be in brackets, e.g. '[2001:db8::1]:5060')"
        )
    return (
        f"{_HOSTNAME_RULE}; got an unbracketed IPv6 address {_echo(text)}, "
        f"write it as {_echo('[' + text + ']')}"
    )


def _clean_port(port: str) -> str:
    if not port:
        raise InvalidValue(f"{_HOSTNAME_RULE}; got an empty port after ':'")
    if not (port.isascii() and _PORT_RE.fullmatch(port) and int(port) <= 65535):
        raise InvalidValue(
            f"{_HOSTNAME_RULE}, the port in decimal without sign or leading zeros; "
            f"got port {_echo(port)}"
        )
    return port


def _clean_dns_name_or_ipv4(host: str) -> str:
    if not host:
        raise InvalidValue(f"{_HOSTNAME_RULE}; got an empty host")
    if host.endswith("."):
        raise InvalidValue(f"{_HOSTNAME_RULE}, without a trailing dot; got {_echo(host)}")
    labels = host.split(".")
    if labels[-1].isdigit():
        # RFC 1123 section 2.1: a top-level label is never all-numeric, so this must be an IPv4.
        if len(labels) == 4 and all(
            _IPV4_OCTET_RE.fullmatch(octet) and int(octet) <= 255 for octet in labels
        ):
            return host
        raise InvalidValue(
            f"{_HOSTNAME_RULE}; got {_echo(host)}, which is neither an IPv4 address (four "
            "decimal octets 0-255 without leading zeros) nor a DNS name (its last label must "
            "not be all digits)"
        )
    if len(host) > HOSTNAME_MAX_LENGTH:
        raise InvalidValue(
            f"{_HOSTNAME_RULE}, a DNS name of at most {HOSTNAME_MAX_LENGTH} characters; "
            f"got {len(host)}"
        )
    for label in labels:
        if not label:
            raise InvalidValue(f"{_HOSTNAME_RULE}; got an empty label in {_echo(host)}")
        if not _DNS_LABEL_RE.fullmatch(label):
            raise InvalidValue(
                f"{_HOSTNAME_RULE}; DNS labels are 1-{DNS_LABEL_MAX_LENGTH} letters, digits or "
                f"hyphens, not starting or ending with a hyphen; got label {_echo(label)}"
            )
    if not labels[-1][0].isalpha():
        # RFC 3261 section 25.1: toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum, so the
        # name stays a valid SIP URI host.
        raise InvalidValue(
            f"{_HOSTNAME_RULE}; the last label of a DNS name starts with a letter (RFC 3261); "
            f"got {_echo(host)}"
        )
    return host.lower()


# --- tech prefix / postfix --------------------------------------------------------------------


def clean_tech_prefix(value: object) -> str:
    """Dial-string text put before the number in the user part of the Request-URI (e.g. "1").

    Only characters that are legal unescaped in a SIP URI user part (RFC 3261 ``user``) or
    %HH-escaped are allowed; '@' and ':' would end the user part, '#' would start a fragment.
    """
    rule = (
        f"tech_prefix must be a string of at most {TECH_AFFIX_MAX_LENGTH} characters: "
        f"{_URI_SAFE_TEXT}"
    )
    text = _require_str(value, rule)
    _check_max_length(text, TECH_AFFIX_MAX_LENGTH, rule)
    _check_uri_user_characters(text, rule, "tech_prefix")
    return text


def clean_tech_postfix(value: object) -> str:
    """Text put after the number in the Request-URI (e.g. ";npdi" or "@provider.com").

    The same characters as the prefix are allowed; in addition one '@' may switch to the host
    part, which then must be a valid hostname (see ``clean_hostname``) and is lower-cased.
    """
    rule = (
        f"tech_postfix must be a string of at most {TECH_AFFIX_MAX_LENGTH} characters: "
        f"{_URI_SAFE_TEXT}, optionally followed by '@' and a hostname"
    )
    text = _require_str(value, rule)
    _check_max_length(text, TECH_AFFIX_MAX_LENGTH, rule)
    user, at, host = text.partition("@")
    _check_uri_user_characters(user, rule, "tech_postfix")
    if not at:
        return user
    if "@" in host:
        raise InvalidValue(f"{rule}; got more than one '@'")
    try:
        host = clean_hostname(host)
    except InvalidValue as error:
        raise InvalidValue(f"tech_postfix: after '@', {error.message}") from None
    return f"{user}@{host}"


def _check_uri_user_characters(text: str, rule: str, field: str) -> None:
    index = 0
    while index < len(text):
        ch = text[index]
        if ch in _URI_SAFE_CHARS:
            index += 1
            continue
        where = f"at position {index}"
        if ch == "%":
            escape = text[index + 1 : index + 3]
            if len(escape) == 2 and all(digit in _HEX_DIGITS for digit in escape):
                index += 3
                continue
            raise InvalidValue(
                f"{rule}; got '%' {where} not followed by two hex digits (write '%' as '%25')"
            )
        if ch == "#":
            raise InvalidValue(f"{rule}; got '#' {where}, write it as '%23'")
        if ch in "@:":
            raise InvalidValue(
                f"{rule}; got {ch!r} {where}, which would end the SIP URI user part "
                f"(escape it as %{ord(ch):02X} if it is part of the dial string)"
            )
        if ch.isspace():
            raise InvalidValue(f"{rule}; got whitespace {_char(ch)} {where}")
        if _is_control(ch):
            raise InvalidValue(f"{rule}; got control character {_char(ch)} {where}")
        raise InvalidValue(f"{rule}; got {_char(ch)} {where} (escape it as %HH)")


# --- tech headers -----------------------------------------------------------------------------


def clean_tech_headers(value: object) -> dict[str, str]:
    """Extra SIP headers added to calls sent to the provider, as a name -> value object.

    Names must be RFC 3261 ``token``s; values single-line text (a CR or LF would inject further
    headers or a body). Headers the platform writes itself (routing, dialog, auth, identity, body
    framing; compact forms included) are refused, and so are names differing only by case since
    SIP header names are case-insensitive and the duplicate would be ambiguous.
    """
    rule = (
        f"tech_headers must be an object of at most {TECH_HEADERS_MAX_COUNT} header names to "
        "string values"
    )
    if not isinstance(value, dict):
        raise InvalidValue(f"{rule}; got {_kind(value)}")
    if len(value) > TECH_HEADERS_MAX_COUNT:
        raise InvalidValue(f"{rule}; got {len(value)} headers")
    cleaned: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, header_value in value.items():
        if not isinstance(name, str):
            raise InvalidValue(f"{rule}; got a header name that is {_kind(name)}")
        subpath = (name,)
        _check_header_name(name, subpath)
        folded = name.lower()
        if folded in RESERVED_SIP_HEADERS:
            raise InvalidValue(
                f"header {_echo(name)} is set by the platform and cannot be overridden; "
                "use custom headers such as 'X-...'",
                subpath,
            )
        if folded in seen:
            raise InvalidValue(
                f"header names are case-insensitive; {_echo(name)} duplicates "
                f"{_echo(seen[folded])}",
                subpath,
            )
        seen[folded] = name
        cleaned[name] = _clean_header_value(name, header_value, subpath)
    return cleaned


def _check_header_name(name: str, subpath: tuple[str, ...]) -> None:
    rule = (
        f"a header name must be 1-{TECH_HEADER_NAME_MAX_LENGTH} characters of "
        f"{_HEADER_NAME_CHARS_TEXT}"
    )
    if not name:
        raise InvalidValue(f"{rule}; got an empty name", subpath)
    _check_max_length(name, TECH_HEADER_NAME_MAX_LENGTH, rule, subpath)
    for index, ch in enumerate(name):
        if ch not in _TOKEN_CHARS:
            raise InvalidValue(
                f"{rule}; got {_char(ch)} at position {index} of {_echo(name)}", subpath
            )


def _clean_header_value(name: str, value: object, subpath: tuple[str, ...]) -> str:
    rule = (
        f"the value of header {_echo(name)} must be a string of at most "
        f"{TECH_HEADER_VALUE_MAX_LENGTH} characters without line breaks or control characters "
        "(tabs allowed)"
    )
    text = _require_str(value, rule, subpath)
    _check_max_length(text, TECH_HEADER_VALUE_MAX_LENGTH, rule, subpath)
    _check_no_control(text, rule, allowed=frozenset("\t"), subpath=subpath)
    return text


# --- codecs -----------------------------------------------------------------------------------

_CODECS_BY_FOLDED = {codec.lower(): codec for codec in SUPPORTED_CODECS}
_CODECS_TEXT = ", ".join(SUPPORTED_CODECS)


def clean_codecs(value: object) -> str:
    """A comma-separated codec preference list, canonicalised (e.g. "PCMU,PCMA").

    The list is turned into SDP offers / media-server configuration, so only codecs the media
    plane supports are accepted, each once, in the given (preference) order. Empty means no
    restriction. Canonical spelling keeps equal settings equal and the function idempotent.
    """
    rule = (
        f"codecs must be a comma-separated list (at most {CODECS_MAX_LENGTH} characters) of "
        f"distinct codecs from: {_CODECS_TEXT}; or empty for no restriction"
    )
    text = _require_str(value, rule)
    _check_max_length(text, CODECS_MAX_LENGTH, rule)
    _check_no_control(text, rule)
    if not text.strip():
        return ""
    for index, ch in enumerate(text):
        if ch in "()":
            raise InvalidValue(f"{rule}; got {ch!r} at position {index} (no parameters)")
    chosen: list[str] = []
    for position, raw_item in enumerate(text.split(","), start=1):
        item = raw_item.strip()
        if not item:
            raise InvalidValue(f"{rule}; item {position} is empty")
        codec = _CODECS_BY_FOLDED.get(item.lower())
        if codec is None:
            raise InvalidValue(f"{rule}; got unknown codec {_echo(item)}")
        if codec in chosen:
            raise InvalidValue(f"{rule}; got {codec} more than once")
        chosen.append(codec)
    return ",".join(chosen)


# --- metadata ---------------------------------------------------------------------------------


def clean_metadata(value: object) -> dict[str, Any]:
    """Free-form client data: a JSON object, at most 16384 characters serialised, depth <= 8.

    It is stored as JSON and returned as-is, so it must be plain JSON (string keys at every level,
    no NaN/Infinity) and bounded in size and nesting to keep rows small and parsers safe. Returned
    as a deep copy so later changes to the input cannot alter the stored value.
    """
    rule = (
        f"metadata must be a JSON object with string keys, nested at most {METADATA_MAX_DEPTH} "
        f"levels deep and at most {METADATA_MAX_CHARS} characters as compact JSON"
    )
    if not isinstance(value, dict):
        raise InvalidValue(f"{rule}; got {_kind(value)}")
    copied = _copy_json_object(value, rule, 1, ())
    try:
        encoded = json.dumps(copied, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # e.g. an integer too long to convert to text
        raise InvalidValue(f"{rule}; got a value that cannot be written as JSON") from None
    if len(encoded) > METADATA_MAX_CHARS:
        raise InvalidValue(f"{rule}; got {len(encoded)} characters")
    return copied


def _check_no_nul(text: str, rule: str, path: tuple[str, ...]) -> None:
    # JSON allows U+0000 in strings, but PostgreSQL's jsonb cannot store it.
    if "\x00" in text:
        raise InvalidValue(f"{rule}, and no NUL (U+0000) in its text: it cannot be stored", path)


def _copy_json_object(
    value: dict[Any, Any], rule: str, depth: int, path: tuple[str, ...]
) -> dict[str, Any]:
    if depth > METADATA_MAX_DEPTH:
        raise InvalidValue(f"{rule}; got nesting deeper than {METADATA_MAX_DEPTH} levels", path)
    copied: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidValue(f"{rule}; got a key that is {_kind(key)}", path)
        _check_no_nul(key, rule, path)
        copied[key] = _copy_json(item, rule, depth, (*path, key))
    return copied


def _copy_json(value: object, rule: str, depth: int, path: tuple[str, ...]) -> Any:
    """A copy of a JSON value found at ``depth`` (the depth of its enclosing container)."""
    if isinstance(value, str):
        _check_no_nul(value, rule, path)
        return value
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValue(f"{rule}; got {value!r}, which is not valid JSON", path)
        return value
    if isinstance(value, dict):
        return _copy_json_object(value, rule, depth + 1, path)
    if isinstance(value, list):
        if depth + 1 > METADATA_MAX_DEPTH:
            raise InvalidValue(f"{rule}; got nesting deeper than {METADATA_MAX_DEPTH} levels", path)
        return [
            _copy_json(item, rule, depth + 1, (*path, str(index)))
            for index, item in enumerate(value)
        ]
    raise InvalidValue(f"{rule}; got {_kind(value)}, which is not a JSON value", path)


# --- phone numbers ----------------------------------------------------------------------------


def normalize_number(value: object) -> str:
    """A phone number as a person types it, in compact form ("+1 (555) 123-4567" -> "+15551234567").

    Spaces, parentheses, hyphens and dots are only visual grouping and are removed. What remains
    must be an optional leading '+' and 1-15 digits: E.164 numbers have at most 15 digits, and
    only digits (and '+') are meaningful in a SIP/tel URI user part for routing.
    """
    rule = (
        f"a phone number must be an optional leading '+' and 1-{E164_MAX_DIGITS} digits, "
        "optionally grouped with spaces, parentheses, hyphens or dots"
    )
    text = _require_str(value, rule)
    compact = "".join(ch for ch in text if ch not in _NUMBER_SEPARATORS)
    if not compact:
        raise InvalidValue(f"{rule}; got no digits")
    for index, ch in enumerate(compact):
        if ch == "+":
            if index:
                raise InvalidValue(f"{rule}; got '+' that is not at the start")
        elif ch.isalpha():
            raise InvalidValue(f"{rule}; got letter {_char(ch)} (letters are not allowed)")
        elif not ("0" <= ch <= "9"):
            raise InvalidValue(f"{rule}; got {_char(ch)}")
    digits = compact.removeprefix("+")
    if not digits:
        raise InvalidValue(f"{rule}; got no digits")
    if len(digits) > E164_MAX_DIGITS:
        raise InvalidValue(f"{rule}; got {len(digits)} digits")
    return compact
