"""Unit tests of services.validation: every rule with accepted and refused values."""

import copy
import json
from typing import Any

import pytest

from services.validation import (
    RESERVED_SIP_HEADERS,
    SUPPORTED_CODECS,
    InvalidValue,
    clean_codecs,
    clean_detail,
    clean_hostname,
    clean_metadata,
    clean_name,
    clean_tech_headers,
    clean_tech_postfix,
    clean_tech_prefix,
    normalize_number,
)

WRONG_TYPES: list[object] = [None, 1, 1.5, True, [], ["a"], {}, {"a": "b"}, b"bytes"]


def assert_safe_message(error: InvalidValue) -> None:
    """Messages never carry raw control characters and never echo huge inputs."""
    assert error.message
    assert str(error) == error.message
    assert not any(ch in error.message for ch in "\r\n\x00\x7f")
    assert len(error.message) < 600


def refused(func: Any, value: object, *fragments: str) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        func(value)
    error = info.value
    assert_safe_message(error)
    for fragment in fragments:
        assert fragment in error.message
    return error


# --- InvalidValue -----------------------------------------------------------------------------


def test_invalid_value_carries_message_and_subpath() -> None:
    error = InvalidValue("must be X", ("X-Foo",))
    assert isinstance(error, ValueError)
    assert error.message == "must be X"
    assert error.subpath == ("X-Foo",)
    assert str(error) == "must be X"
    assert InvalidValue("m").subpath == ()


# --- name -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Telnyx", "Telnyx"),
        ("  Telnyx EU  ", "Telnyx EU"),
        ("x", "x"),
        ("Ünïcödé 名前", "Ünïcödé 名前"),
        ("\u00a0padded\u00a0", "padded"),
        (" " + "a" * 255 + " ", "a" * 255),
    ],
)
def test_clean_name_accepts(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a" * 256, "256 characters"),
        ("a\nb", "U+000A"),
        ("a\rb", "U+000D"),
        ("a\x00b", "U+0000"),
        ("a\tb", "U+0009"),
        ("a\x7fb", "U+007F"),
        ("a\x85b", "U+0085"),
        ("Telnyx\n", "U+000A"),
        ("a\u2028b", "U+2028"),  # a line break to JavaScript and to log viewers
        ("Telnyx\u2029", "U+2029"),
    ],
)
def test_clean_name_refuses(raw: str, fragment: str) -> None:
    refused(clean_name, raw, "name must be a string of 1-255 characters", fragment)


@pytest.mark.parametrize("raw", WRONG_TYPES)
def test_clean_name_refuses_wrong_types(raw: object) -> None:
    refused(clean_name, raw, "name must be a string")


# --- detail -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["", "  kept as given  ", "line 1\nline 2\n\tindented", "d" * 4096, "emoji 🎉"],
)
def test_clean_detail_accepts_unchanged(raw: str) -> None:
    assert clean_detail(raw) == raw


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("d" * 4097, "4097 characters"),
        ("windows\r\nline", "U+000D"),
        ("nul\x00", "U+0000"),
        ("bell\x07", "U+0007"),
        ("del\x7f", "U+007F"),
    ],
)
def test_clean_detail_refuses(raw: str, fragment: str) -> None:
    refused(clean_detail, raw, "at most 4096 characters", "line feeds and tabs", fragment)


@pytest.mark.parametrize("raw", WRONG_TYPES)
def test_clean_detail_refuses_wrong_types(raw: object) -> None:
    refused(clean_detail, raw, "detail must be a string")


# --- hostname ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sip.telnyx.com", "sip.telnyx.com"),
        ("SIP.Telnyx.COM", "sip.telnyx.com"),
        ("10.0.0.1:5080", "10.0.0.1:5080"),
        ("0.0.0.0:5060", "0.0.0.0:5060"),
        ("255.255.255.255:65535", "255.255.255.255:65535"),
        ("[::1]:5061", "[::1]:5061"),
        ("[::1]", "[::1]"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        ("[::ffff:192.0.2.1]:5060", "[::ffff:192.0.2.1]:5060"),
        ("localhost", "localhost"),
        ("localhost:1", "localhost:1"),
        ("a-b.example", "a-b.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("1.2.3.example", "1.2.3.example"),
        ("123.example.com", "123.example.com"),
        ("a1.b2", "a1.b2"),
        ("sip:5060", "sip:5060"),  # host "sip", port 5060
        ("a" * 63 + ".com", "a" * 63 + ".com"),
        (".".join(["a" * 63] * 3 + ["a" * 61]), ".".join(["a" * 63] * 3 + ["a" * 61])),
    ],
)
def test_clean_hostname_accepts(raw: str, expected: str) -> None:
    assert clean_hostname(raw) == expected
    assert clean_hostname(expected) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "empty string"),
        ("-a.com", "label '-a'"),
        ("a-.com", "label 'a-'"),
        ("a..com", "empty label"),
        (".a.com", "empty label"),
        ("a_b.com", "label 'a_b'"),
        ("a" * 64 + ".com", "1-63 letters"),
        (".".join(["a" * 63] * 4), "at most 253 characters"),
        ("foo.com.", "trailing dot"),
        ("sip.telnyx.com:0", "port '0'"),
        ("sip.telnyx.com:65536", "port '65536'"),
        ("sip.telnyx.com:05060", "port '05060'"),
        ("sip.telnyx.com:+5060", "port '+5060'"),
        ("sip.telnyx.com:-1", "port '-1'"),
        ("sip.telnyx.com:abc", "port 'abc'"),
        ("sip.telnyx.com:", "empty port"),
        (":5060", "empty host"),
        ("[::1", "no closing ']'"),
        ("[::1]x", "only ':port' may follow ']'"),
        ("[::1]:", "empty port"),
        ("[::1]:0", "port '0'"),
        ("[]", "not an IPv6 address"),
        ("[1.2.3.4]", "not an IPv6 address"),
        ("[fe80::1%eth0]", "not an IPv6 address"),
        ("[::g]", "not an IPv6 address"),
        ("::1", "write it as '[::1]'"),
        ("2001:db8::1", "write it as '[2001:db8::1]'"),
        ("a:b:c", "must be in brackets"),
        ("sip:foo.com", "scheme 'sip:'"),
        ("SIPS:foo.com", "scheme 'SIPS:'"),
        ("sips:foo.com:5061", "scheme 'sips:'"),
        ("http://foo.com", "scheme 'http://'"),
        ("tel:+15551234567", "scheme 'tel:'"),
        ("sip:user@foo.com", "scheme 'sip:'"),
        ("user@foo.com", "user part 'user@'"),
        ("@foo.com", "user part '@'"),
        ("foo.com/x", "path '/x'"),
        ("foo.com?x=1", "query '?x=1'"),
        ("foo.com#frag", "fragment '#frag'"),
        ("foo.com;transport=tcp", "parameters ';transport=tcp'"),
        ("fo o.com", "whitespace"),
        (" foo.com", "whitespace"),
        ("foo.com ", "whitespace"),
        ("foo.com\n", "whitespace"),
        ("foo\tcom", "whitespace"),
        ("foo\x00.com", "control character"),
        ("foo\x7f.com", "control character"),
        ("\u0455ip.telnyx.com", "punycode"),  # Cyrillic dze look-alike
        ("bücher.example", "U+00FC"),
        ("999.1.1.1", "neither an IPv4 address"),
        ("256.0.0.1", "neither an IPv4 address"),
        ("1.2.3", "neither an IPv4 address"),
        ("1.2.3.4.5", "neither an IPv4 address"),
        ("01.1.1.1", "leading zeros"),
        ("10.0.0.01", "leading zeros"),
        ("123", "last label must not be all digits"),
        ("example.123", "last label must not be all digits"),
    ],
)
def test_clean_hostname_refuses(raw: str, fragment: str) -> None:
    error = refused(clean_hostname, raw, "hostname must be a DNS name", fragment)
    assert error.subpath == ()


@pytest.mark.parametrize("raw", WRONG_TYPES)
def test_clean_hostname_refuses_wrong_types(raw: object) -> None:
    refused(clean_hostname, raw, "hostname must be a DNS name")


def test_clean_hostname_message_caps_huge_input() -> None:
    error = refused(clean_hostname, "a" * 10_000 + "/" + "b" * 10_000)
    assert "..." in error.message
    assert "a" * 41 not in error.message


# --- tech prefix / postfix --------------------------------------------------------------------

URI_SAFE = "azAZ09-_.!~*'()&=+$,;?/"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1",
        "*67",
        "00",
        ";npdi",
        "%23",
        "%2a%2A",
        URI_SAFE,
        "9" * 64,
        "#31#".replace("#", "%23"),
    ],
)
def test_clean_tech_prefix_accepts_unchanged(raw: str) -> None:
    assert clean_tech_prefix(raw) == raw


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("9" * 65, "65 characters"),
        ("a@b", "'@' at position 1"),
        ("@provider.com", "'@' at position 0"),
        ("1:2", "':' at position 1"),
        ("#31#", "write it as '%23'"),
        ("%", "not followed by two hex digits"),
        ("%2", "not followed by two hex digits"),
        ("%zz", "not followed by two hex digits"),
        ("1 2", "whitespace"),
        (" 1", "whitespace"),
        ("1\r\n", "whitespace"),
        ("1\x00", "control character"),
        ("é", "U+00E9"),
        ("<1>", "'<' (U+003C)"),
        ('"', "U+0022"),
    ],
)
def test_clean_tech_prefix_refuses(raw: str, fragment: str) -> None:
    refused(clean_tech_prefix, raw, "tech_prefix must be a string of at most 64", fragment)


@pytest.mark.parametrize("raw", WRONG_TYPES)
def test_clean_tech_prefix_refuses_wrong_types(raw: object) -> None:
    refused(clean_tech_prefix, raw, "tech_prefix must be a string")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("@provider.com", "@provider.com"),
        ("@Provider.COM", "@provider.com"),
        (";NPDI@Provider.COM:5060", ";NPDI@provider.com:5060"),
        ("@[2001:db8::1]:5060", "@[2001:db8::1]:5060"),
        ("@[2001:DB8::1]", "@[2001:db8::1]"),
        ("@10.0.0.1", "@10.0.0.1"),
        (";npdi", ";npdi"),
        (";rn=%2B1555", ";rn=%2B1555"),
        ("ABC", "ABC"),
        (URI_SAFE, URI_SAFE),
    ],
)
def test_clean_tech_postfix_accepts(raw: str, expected: str) -> None:
    assert clean_tech_postfix(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("x" * 65, "65 characters"),
        ("@" + "a" * 64, "65 characters"),
        ("a@b@c.com", "more than one '@'"),
        ("@", "after '@', hostname must be"),
        ("@-bad.com", "after '@', hostname must be"),
        ("@sip:foo.com", "scheme 'sip:'"),
        ("@foo.com:0", "port '0'"),
        ("@::1", "write it as '[::1]'"),
        ("@foo.com/x", "path '/x'"),
        ("a:b@foo.com", "':' at position 1"),
        ("#@foo.com", "write it as '%23'"),
        ("%g0", "not followed by two hex digits"),
        ("a b", "whitespace"),
        ("\n", "whitespace"),
        ("\x00", "control character"),
    ],
)
def test_clean_tech_postfix_refuses(raw: str, fragment: str) -> None:
    refused(clean_tech_postfix, raw, "tech_postfix", fragment)


@pytest.mark.parametrize("raw", WRONG_TYPES)
def test_clean_tech_postfix_refuses_wrong_types(raw: object) -> None:
    refused(clean_tech_postfix, raw, "tech_postfix must be a string")


# --- tech headers -----------------------------------------------------------------------------


def test_clean_tech_headers_accepts_and_copies() -> None:
    raw = {
        "X-Customer-Id": "42",
        "x-lower": "",
        "X-Tab": "a\tb",
        "Weird.!%*_+`'~": "ok",
        "User-Agent": "trunkql/1.0",
        "X-Unicode": "café ☕",
        "X-" + "n" * 126: "v" * 1024,
    }
    cleaned = clean_tech_headers(raw)
    assert cleaned == raw
    assert list(cleaned) == list(raw)
    assert cleaned is not raw


def test_clean_tech_headers_accepts_empty_and_max_count() -> None:
    assert clean_tech_headers({}) == {}
    many = {f"X-H{i}": str(i) for i in range(32)}
    assert clean_tech_headers(many) == many


def test_clean_tech_headers_refuses_too_many() -> None:
    error = refused(
        clean_tech_headers, {f"X-H{i}": "v" for i in range(33)}, "at most 32", "33 headers"
    )
    assert error.subpath == ()


@pytest.mark.parametrize("raw", [None, "X-A: b", 1, ["X-A", "b"], [("X-A", "b")], True])
def test_clean_tech_headers_refuses_wrong_types(raw: object) -> None:
    error = refused(clean_tech_headers, raw, "tech_headers must be an object")
    assert error.subpath == ()


def test_clean_tech_headers_refuses_non_str_name() -> None:
    error = refused(clean_tech_headers, {1: "a"}, "header name that is an integer")
    assert error.subpath == ()


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "empty name"),
        ("X-" + "n" * 127, "129 characters"),
        ("X Foo", "' ' (U+0020)"),
        ("X-Foo:", "':' (U+003A)"),
        ("X-Foo\r\nVia", "'\\r' (U+000D)"),
        ("X-Fóo", "U+00F3"),
        ("X(Foo)", "'(' (U+0028)"),
        ("X@Foo", "'@' (U+0040)"),
    ],
)
def test_clean_tech_headers_refuses_bad_names(name: str, fragment: str) -> None:
    error = refused(clean_tech_headers, {"X-Ok": "1", name: "v"}, "header name must be", fragment)
    assert error.subpath == (name,)


@pytest.mark.parametrize(
    "name",
    [
        "Via",
        "v",
        "VIA",
        "From",
        "f",
        "To",
        "t",
        "Call-ID",
        "call-id",
        "i",
        "CSeq",
        "Contact",
        "m",
        "Max-Forwards",
        "Content-Length",
        "l",
        "Content-Type",
        "c",
        "Content-Encoding",
        "e",
        "Route",
        "Record-Route",
        "P-Asserted-Identity",
        "P-Preferred-Identity",
        "Privacy",
        "Authorization",
        "Proxy-Authorization",
        "WWW-Authenticate",
        "Proxy-Authenticate",
        "Allow",
        "Supported",
        "k",
        "Require",
        "Proxy-Require",
        "Expires",
        "Session-Expires",
        "x",
        "Min-SE",
        "Event",
        "o",
        "Allow-Events",
        "u",
        "Refer-To",
        "r",
        "Referred-By",
        "b",
        "Replaces",
        "RSeq",
        "RAck",
        "Subscription-State",
    ],
)
def test_clean_tech_headers_refuses_reserved(name: str) -> None:
    assert name.lower() in RESERVED_SIP_HEADERS
    error = refused(clean_tech_headers, {name: "x"}, "set by the platform", repr(name))
    assert error.subpath == (name,)


def test_reserved_sip_headers_are_lower_case() -> None:
    assert all(name == name.lower() for name in RESERVED_SIP_HEADERS)
    assert len(RESERVED_SIP_HEADERS) == 48


def test_clean_tech_headers_refuses_case_duplicates() -> None:
    error = refused(clean_tech_headers, {"X-Foo": "1", "x-foo": "2"}, "case-insensitive", "'X-Foo'")
    assert error.subpath == ("x-foo",)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (1, "got an integer"),
        (True, "got a boolean"),
        (None, "got null"),
        (["a"], "got a list"),
        ({"a": "b"}, "got an object"),
        (1.5, "got a number"),
        ("v" * 1025, "1025 characters"),
        ("a\r\nVia: evil", "U+000D"),
        ("a\nb", "U+000A"),
        ("a\x00b", "U+0000"),
        ("a\x1bb", "U+001B"),
        ("a\x7fb", "U+007F"),
    ],
)
def test_clean_tech_headers_refuses_bad_values(value: object, fragment: str) -> None:
    error = refused(
        clean_tech_headers, {"X-Ok": "1", "X-Bad": value}, "value of header 'X-Bad'", fragment
    )
    assert error.subpath == ("X-Bad",)


# --- codecs -----------------------------------------------------------------------------------


def test_supported_codecs_documented_order() -> None:
    assert SUPPORTED_CODECS == (
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("PCMU", "PCMU"),
        (" pcmu , PCMA ", "PCMU,PCMA"),
        ("opus,ilbc,TELEPHONE-EVENT", "OPUS,iLBC,telephone-event"),
        ("PCMA,PCMU", "PCMA,PCMU"),
        ("amr-wb,AMR,l16", "AMR-WB,AMR,L16"),
        (",".join(SUPPORTED_CODECS).lower(), ",".join(SUPPORTED_CODECS)),
        (" , ".join(reversed(SUPPORTED_CODECS)), ",".join(reversed(SUPPORTED_CODECS))),
    ],
)
def test_clean_codecs_accepts(raw: str, expected: str) -> None:
    assert clean_codecs(raw) == expected
    assert clean_codecs(clean_codecs(raw)) == clean_codecs(raw)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("PCMU,,PCMA", "item 2 is empty"),
        ("PCMU,", "item 2 is empty"),
        (",PCMU", "item 1 is empty"),
        ("PCMU, ,PCMA", "item 2 is empty"),
        (",", "item 1 is empty"),
        ("PCMU,pcmu", "PCMU more than once"),
        ("opus, OPUS", "OPUS more than once"),
        ("PCMU\r\n", "U+000D"),
        ("PCMU\n", "U+000A"),
        ("PCMU\x00", "U+0000"),
        ("\t", "U+0009"),
        ("PCMU(8)", "'(' at position 4"),
        ("PCMU)", "')' at position 4"),
        ("G711", "unknown codec 'G711'"),
        ("PC MU", "unknown codec 'PC MU'"),
        ("PCMU;PCMA", "unknown codec 'PCMU;PCMA'"),
        ("PCMU," * 52, "260 characters"),
    ],
)
def test_clean_codecs_refuses(raw: str, fragment: str) -> None:
    refused(clean_codecs, raw, "codecs must be a comma-separated list", fragment)


def test_clean_codecs_unknown_lists_supported_set() -> None:
    error = refused(clean_codecs, "PCMU,foo", "unknown codec 'foo'")
    for codec in SUPPORTED_CODECS:
        assert codec in error.message


def test_clean_codecs_caps_echo() -> None:
    error = refused(clean_codecs, "x" * 200, "unknown codec")
    assert "x" * 41 not in error.message


@pytest.mark.parametrize("raw", WRONG_TYPES)
def test_clean_codecs_refuses_wrong_types(raw: object) -> None:
    refused(clean_codecs, raw, "codecs must be a comma-separated list")


# --- metadata ---------------------------------------------------------------------------------


def nested(depth: int) -> dict[str, Any]:
    """An object whose nesting depth (the top object counting as 1) is ``depth``."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"a": 1, "b": "two", "c": None, "d": True, "e": 1.5, "f": [1, "x", None]},
        {"unicode": "名前", "nested": {"list": [{"x": [1, 2]}]}},
        nested(8),
        {"l": [[[[[[[1]]]]]]]},
    ],
)
def test_clean_metadata_accepts_deep_copy(raw: dict[str, Any]) -> None:
    original = copy.deepcopy(raw)
    cleaned = clean_metadata(raw)
    assert cleaned == original
    assert cleaned is not raw
    if raw:
        # mutate the copy deeply: the input must not change
        cleaned.clear()
        assert raw == original


def test_clean_metadata_copy_is_deep() -> None:
    raw: dict[str, Any] = {"a": {"b": [1, {"c": 2}]}}
    cleaned = clean_metadata(raw)
    cleaned["a"]["b"][1]["c"] = 99
    cleaned["a"]["b"].append(3)
    assert raw == {"a": {"b": [1, {"c": 2}]}}


def test_clean_metadata_size_limit_counts_compact_non_ascii_json() -> None:
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")))
    at_limit = {"k": "é" * (16384 - overhead)}
    assert clean_metadata(at_limit) == at_limit
    refused(clean_metadata, {"k": "é" * (16385 - overhead)}, "16384", "16385 characters")


@pytest.mark.parametrize(
    ("raw", "fragment", "subpath"),
    [
        (nested(9), "deeper than 8", ("k",) * 8),
        ({"l": [[[[[[[[1]]]]]]]]}, "deeper than 8", ("l", *("0",) * 7)),
        ({1: "a"}, "key that is an integer", ()),
        ({"a": {None: 1}}, "key that is null", ("a",)),
        ({"a": float("nan")}, "not valid JSON", ("a",)),
        ({"a": [float("inf")]}, "not valid JSON", ("a", "0")),
        ({"a": {1, 2}}, "set", ("a",)),
        ({"a": (1, 2)}, "a list", ("a",)),
        ({"a": b"x"}, "bytes", ("a",)),
        ({"a": 10**5000}, "cannot be written as JSON", ()),
    ],
)
def test_clean_metadata_refuses(
    raw: dict[Any, Any], fragment: str, subpath: tuple[str, ...]
) -> None:
    error = refused(clean_metadata, raw, "metadata must be a JSON object", fragment)
    assert error.subpath == subpath


def test_clean_metadata_refuses_cycles() -> None:
    raw: dict[str, Any] = {}
    raw["self"] = raw
    refused(clean_metadata, raw, "deeper than 8")


@pytest.mark.parametrize("raw", [None, 1, "{}", [], [{"a": 1}], True])
def test_clean_metadata_refuses_wrong_types(raw: object) -> None:
    refused(clean_metadata, raw, "metadata must be a JSON object")


# --- phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 (555) 123-4567", "+15551234567"),
        ("+15551234567", "+15551234567"),
        ("15551234567", "15551234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("555.123.4567", "5551234567"),
        ("(+44) 20", "+4420"),
        ("1", "1"),
        ("+123456789012345", "+123456789012345"),
        ("  911  ", "911"),
    ],
)
def test_normalize_number_accepts(raw: str, expected: str) -> None:
    assert normalize_number(raw) == expected
    assert normalize_number(expected) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "no digits"),
        ("   ", "no digits"),
        ("+", "no digits"),
        ("()-.", "no digits"),
        ("1-800-FLOWERS", "letter 'F'"),
        ("555-123-4567 ext 5", "letter 'e'"),
        ("1+2", "'+' that is not at the start"),
        ("++1", "'+' that is not at the start"),
        ("1234567890123456", "16 digits"),
        ("+1 234 567 890 123 456", "16 digits"),
        ("555/1234", "'/' (U+002F)"),
        ("555#1", "'#' (U+0023)"),
        ("555\t1234", "U+0009"),
        ("555\n1234", "U+000A"),
        ("١٢٣", "U+0661"),
        ("\uff11\uff12\uff13", "U+FF11"),  # full-width digits
    ],
)
def test_normalize_number_refuses(raw: str, fragment: str) -> None:
    refused(normalize_number, raw, "optional leading '+' and 1-15 digits", fragment)


@pytest.mark.parametrize("raw", [None, 15551234567, 1.5, True, ["+1"], {"n": "1"}])
def test_normalize_number_refuses_wrong_types(raw: object) -> None:
    refused(normalize_number, raw, "phone number must be")


@pytest.mark.parametrize("host", ["sip.9carrier", "sip.telnyx.1com", "a.-b"])
def test_the_top_label_starts_with_a_letter(host: str) -> None:
    # RFC 3261 section 25.1: toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum.
    with pytest.raises(InvalidValue):
        clean_hostname(host)
