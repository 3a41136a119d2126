"""Hypothesis strategies for the values a client may send, built from the documented rules
(README "Input rules" and the route rules), not from the implementation, so they are an
independent oracle: whatever they call valid the validators must accept.

Next to each "valid" strategy is a "near miss" one: text over the alphabet where the rules are
decided (separators, escapes, control characters, look-alike Unicode), so a property about what
the validators accept is tried on inputs that are close to the edge rather than on random noise.
"""

import json
import string
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from services.validation import RESERVED_SIP_HEADERS

# README: "codecs ... PCMU, PCMA, G722, G723, G726, G728, G729, GSM, iLBC, OPUS, SPEEX, AMR,
# AMR-WB, SILK, L16, telephone-event (any case)".
DOCUMENTED_CODECS = (
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
# README: headers the platform owns, "in any case and in compact form" (RFC 3261 section 7.3.3).
DOCUMENTED_RESERVED_HEADERS = frozenset(
    name.lower()
    for name in (
        "Via",
        "From",
        "To",
        "Call-ID",
        "CSeq",
        "Contact",
        "Max-Forwards",
        "Content-Length",
        "Content-Type",
        "Route",
        "Record-Route",
        "P-Asserted-Identity",
        "Privacy",
        "Authorization",
        # compact forms of the above
        "v",
        "f",
        "t",
        "i",
        "m",
        "l",
        "c",
    )
)
# RFC 3261 section 25.1 token characters.
TOKEN_CHARS = string.ascii_letters + string.digits + "-.!%*_+`'~"
# RFC 3261 user part: unreserved / user-unreserved (plus %HH escapes).
URI_USER_CHARS = string.ascii_letters + string.digits + "-_.!~*'()&=+$,;?/"
# Characters that break SIP framing or text formats.
LINE_BREAKERS = "\r\n\x00"
# Interesting Unicode: NEL, line/paragraph separators, NBSP, a bidi override, the Kelvin sign and
# dotless i (both case-fold to ASCII letters), fullwidth digits and plus, a combining mark.
TRICKY_UNICODE = "\x85\u2028\u2029\xa0\u202e\u212a\u0131\u0130\uff11\uff0b\u0301\u00e9"


def _mixed_case(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flags: "".join(
            c.upper() if up else c.lower() for c, up in zip(text, flags, strict=True)
        )
    )


def mixed_case(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The strategy's strings with each letter's case chosen at random."""
    return strategy.flatmap(_mixed_case)


def near_miss_text(alphabet: str, max_size: int = 40) -> st.SearchStrategy[str]:
    """Short text over ``alphabet`` plus control characters and tricky Unicode."""
    return st.text(
        alphabet=st.sampled_from(alphabet + LINE_BREAKERS + "\t \x7f" + TRICKY_UNICODE),
        max_size=max_size,
    )


# --- hostnames --------------------------------------------------------------------------------

DNS_LABELS = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)
PORTS = st.integers(min_value=1, max_value=65535)


# RFC 3261 toplabel: the last label of a DNS name starts with a letter.
TOP_LABELS = st.from_regex(r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)


@st.composite
def dns_names(draw: st.DrawFn) -> str:
    """RFC 1123 names whose last label starts with a letter (RFC 3261), at most 253 characters,
    any case."""
    labels = draw(st.lists(DNS_LABELS, max_size=3))
    last = draw(TOP_LABELS)
    name = ".".join([*labels, last])
    assume(len(name) <= 253)
    return draw(_mixed_case(name))


IPV4 = st.ip_addresses(v=4).map(str)
IPV6 = st.ip_addresses(v=6).map(lambda address: f"[{address}]").flatmap(_mixed_case)


@st.composite
def hostnames(draw: st.DrawFn) -> str:
    """Valid ``hostname`` values: DNS name, IPv4 or [IPv6], optionally ``:port``."""
    host = draw(st.one_of(dns_names(), IPV4, IPV6))
    if draw(st.booleans()):
        host += f":{draw(PORTS)}"
    return host


def hostname_like() -> st.SearchStrategy[str]:
    """Valid hostnames, text over hostname characters, and valid ones with one character
    inserted anywhere (a scheme, user part, path, whitespace, control or non-ASCII)."""
    return st.one_of(
        hostnames(),
        near_miss_text(string.ascii_letters + string.digits + ".-:[]@/?#;%", max_size=30),
        st.tuples(
            hostnames(),
            st.integers(min_value=0, max_value=300),
            st.sampled_from([*"@/?#;: .[]%\t", *LINE_BREAKERS, *TRICKY_UNICODE, "sip:", "//"]),
        ).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]),
    )


# --- tech prefix / postfix --------------------------------------------------------------------

ESCAPES = st.tuples(st.sampled_from(string.hexdigits), st.sampled_from(string.hexdigits)).map(
    lambda pair: "%" + "".join(pair)
)


def uri_user_text(max_items: int = 16) -> st.SearchStrategy[str]:
    """Text that is legal in a SIP URI user part: allowed characters and %HH escapes."""
    return st.lists(st.one_of(st.sampled_from(URI_USER_CHARS), ESCAPES), max_size=max_items).map(
        "".join
    )


def tech_prefixes() -> st.SearchStrategy[str]:
    """Valid techPrefix values (at most 21 pieces of at most 3 characters: within 64)."""
    return uri_user_text(max_items=21)


@st.composite
def tech_postfixes(draw: st.DrawFn) -> str:
    """A valid techPostfix: user-part text, optionally ``@host[:port]``, at most 64 characters."""
    user = draw(uri_user_text(max_items=12))
    if draw(st.booleans()):
        host = draw(hostnames())
        if len(user) + 1 + len(host) <= 64:
            return f"{user}@{host}"
    return user


def affix_like() -> st.SearchStrategy[str]:
    return st.one_of(
        tech_postfixes(), near_miss_text(URI_USER_CHARS + "%@:#" + string.hexdigits, max_size=70)
    )


# --- numbers ----------------------------------------------------------------------------------

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=15)


@st.composite
def typed_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A phone number as a person types it, and its compact form: optional '+', 1-15 digits,
    grouped with spaces, dashes, dots and parentheses anywhere."""
    plus = draw(st.sampled_from(["", "+"]))
    digits = draw(DIGITS)
    compact = plus + digits
    typed = ""
    for ch in compact:
        typed += draw(st.text(alphabet=" -.()", max_size=2)) + ch
    typed += draw(st.text(alphabet=" -.()", max_size=2))
    return typed, compact


# --- codecs -----------------------------------------------------------------------------------


@st.composite
def codec_lists(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A valid codecs string (any case, spaces around items) and its canonical items."""
    chosen = draw(st.lists(st.sampled_from(DOCUMENTED_CODECS), unique=True, min_size=1))
    spaced = [
        draw(st.text(alphabet=" ", max_size=2))
        + draw(_mixed_case(codec))
        + draw(st.text(alphabet=" ", max_size=2))
        for codec in chosen
    ]
    return ",".join(spaced), chosen


def codecs_like() -> st.SearchStrategy[str]:
    """Valid lists, lists with empty items, duplicates, unknown names, and near-miss text."""
    words = st.one_of(
        st.sampled_from(DOCUMENTED_CODECS).flatmap(_mixed_case),
        st.sampled_from(["", " ", "PCMX", "G7", "opus2", "AMR_WB", "telephone event", "(", ")"]),
        near_miss_text("pcmaugl79-, ", max_size=8),
    )
    return st.one_of(
        codec_lists().map(lambda pair: pair[0]),
        st.lists(words, max_size=6).map(",".join),
        near_miss_text("PCMAUGSMOLBpcmaugsmolb0123456789-, ", max_size=60),
    )


# --- headers ----------------------------------------------------------------------------------

# The README names the reserved headers "... Authorization and more": the full list is the code's.
HEADER_NAMES = st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=24).filter(
    lambda name: name.lower() not in DOCUMENTED_RESERVED_HEADERS | RESERVED_SIP_HEADERS
)
HEADER_VALUES = st.text(
    alphabet=st.characters(blacklist_categories=["Cc", "Cs"]) | st.just("\t"), max_size=60
)


@st.composite
def header_sets(draw: st.DrawFn) -> dict[str, str]:
    """Valid techHeaders: token names, unique regardless of case, not reserved; single-line
    values; at most 32."""
    names = draw(st.lists(HEADER_NAMES, max_size=8, unique_by=str.lower))
    return {name: draw(HEADER_VALUES) for name in names}


def header_like() -> st.SearchStrategy[Any]:
    """Valid header sets, reserved names in any case, case duplicates, names and values with
    control characters, and non-string values."""
    names = st.one_of(
        HEADER_NAMES,
        st.sampled_from(sorted(DOCUMENTED_RESERVED_HEADERS)).flatmap(_mixed_case),
        near_miss_text(TOKEN_CHARS + ":", max_size=12),
    )
    values: st.SearchStrategy[Any] = st.one_of(
        HEADER_VALUES,
        near_miss_text(string.printable, max_size=30),
        st.integers(),
        st.none(),
        st.lists(st.text(max_size=3), max_size=2),
    )
    return st.one_of(header_sets(), st.dictionaries(names, values, max_size=6))


# --- JSON -------------------------------------------------------------------------------------

JSON_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    return st.recursive(
        JSON_SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=8), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def json_depth(value: Any) -> int:
    """Nesting depth as the metadata rule counts it: the top object is level 1."""
    if isinstance(value, dict):
        return 1 + max((json_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((json_depth(item) for item in value), default=0)
    return 0


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
