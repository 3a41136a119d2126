"""Properties of every validator and formatter of ``services.validation``.

For each rule, two kinds of property:

- *completeness*: whatever the documented rule calls valid (generated from the README's rules by
  ``tests.properties.strategies``, independently of the code) is accepted, with the documented
  normalisation;
- *soundness*: whatever is accepted, from any input near the rule's edges, satisfies the rule, is
  a fixed point of the validator (normalising twice changes nothing), and every refusal is an
  ``InvalidValue`` with a message that is safe to log (no raw control characters, bounded size).
"""

import copy
import re
import string
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from services.validation import (
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
from tests.properties import budget, sip_grammar
from tests.properties.refusals import no_control, outcome
from tests.properties.strategies import (
    DOCUMENTED_CODECS,
    DOCUMENTED_RESERVED_HEADERS,
    LINE_BREAKERS,
    TOKEN_CHARS,
    URI_USER_CHARS,
    affix_like,
    codec_lists,
    codecs_like,
    compact_json,
    header_like,
    header_sets,
    hostname_like,
    hostnames,
    json_depth,
    json_values,
    near_miss_text,
    tech_postfixes,
    tech_prefixes,
    typed_numbers,
)

NOT_A_STRING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.lists(st.text(max_size=2))
)


# --- codecs -----------------------------------------------------------------------------------


@budget.pure()
@given(codec_lists())
def test_documented_codec_lists_are_accepted_in_canonical_form(
    sample: tuple[str, list[str]],
) -> None:
    raw, chosen = sample
    assert clean_codecs(raw) == ",".join(chosen)


@budget.pure()
@given(st.one_of(codecs_like(), NOT_A_STRING))
@example(" pcmu , PCMA ")
@example("PCMU,,PCMA")
@example("pcmu,PCMU")
@example("PCMU,")
def test_accepted_codecs_are_distinct_supported_names_and_a_fixed_point(raw: object) -> None:
    result = outcome(clean_codecs, raw)
    if isinstance(result, InvalidValue):
        return
    assert isinstance(raw, str)
    assert isinstance(result, str)
    assert clean_codecs(result) == result
    assert len(result) <= 255
    if result == "":
        assert raw.strip() == "", "only blank input means 'no restriction'"
        return
    items = result.split(",")
    assert all(item in DOCUMENTED_CODECS for item in items), items
    assert len(set(items)) == len(items), "duplicates"
    # The same codecs, in the same order, as the raw items named (case-insensitively).
    assert [item.strip().lower() for item in raw.split(",")] == [i.lower() for i in items]


@budget.pure()
@given(codec_lists(), st.data())
def test_a_duplicate_an_empty_item_or_an_unknown_name_is_refused(
    sample: tuple[str, list[str]], data: st.DataObject
) -> None:
    raw, chosen = sample
    spoiler = data.draw(
        st.one_of(
            st.sampled_from(chosen).map(str.lower),  # a duplicate, in another case
            st.just(""),
            st.just("  "),
            st.sampled_from(["PCMX", "G.711", "opus/48000", "pcmu;ptime=20", "H264"]),
        )
    )
    items = raw.split(",")
    items.insert(data.draw(st.integers(0, len(items))), spoiler)
    assert isinstance(outcome(clean_codecs, ",".join(items)), InvalidValue)


# --- tech headers -----------------------------------------------------------------------------


@budget.pure()
@given(header_sets())
def test_documented_header_sets_are_accepted_unchanged(headers: dict[str, str]) -> None:
    assert clean_tech_headers(headers) == headers


@budget.pure()
@given(st.one_of(header_like(), NOT_A_STRING))
@example({"X-Ok": "a\r\nVia: SIP/2.0/UDP evil"})
@example({"X-Ok\r\nVia": "x"})
@example({"X-Ok": "nul\x00"})
@example({"x-a": "1", "X-A": "2"})
@example({"CALL-ID": "x"})
def test_accepted_headers_cannot_break_sip_framing(raw: object) -> None:
    result = outcome(clean_tech_headers, raw)
    if isinstance(result, InvalidValue):
        return
    assert isinstance(result, dict)
    assert result == raw, "headers are stored as given"
    assert clean_tech_headers(result) == result
    assert len(result) <= 32
    folded = [name.lower() for name in result]
    assert len(set(folded)) == len(folded), "names must be unique regardless of case"
    for name, value in result.items():
        assert not any(ch in LINE_BREAKERS for ch in name + value), (name, value)
        assert name, "an empty header name"
        assert all(ch in TOKEN_CHARS for ch in name), name
        assert name.lower() not in DOCUMENTED_RESERVED_HEADERS, name
        assert no_control(value, allowed="\t"), value
        assert len(value) <= 1024


@budget.pure()
@given(header_sets(), st.sampled_from([*LINE_BREAKERS, "\x0b", "\x1b", "\x85"]), st.data())
def test_a_header_value_with_a_line_break_or_nul_is_refused(
    headers: dict[str, str], bad: str, data: st.DataObject
) -> None:
    name = data.draw(st.text(alphabet=string.ascii_letters, min_size=1, max_size=8))
    value = data.draw(st.text(max_size=10))
    cut = data.draw(st.integers(0, len(value)))
    headers = {k: v for k, v in headers.items() if k.lower() != f"x-{name}".lower()}
    headers[f"X-{name}"] = value[:cut] + bad + value[cut:]
    assert isinstance(outcome(clean_tech_headers, headers), InvalidValue)


# --- hostname ---------------------------------------------------------------------------------


@budget.pure()
@given(hostnames())
def test_documented_hostnames_are_accepted_lower_cased(raw: str) -> None:
    assert clean_hostname(raw) == raw.lower()


@budget.pure()
@given(st.one_of(hostname_like(), NOT_A_STRING))
@example("SIP.Telnyx.COM:5060")
@example("sip:5060")
@example("[::FFFF:1.2.3.4]")
@example("sip.example.com.")
@example("sip.9carrier")  # RFC 3261: the top label starts with a letter
@example("\u212aelvin.example")  # the Kelvin sign case-folds to 'k'
def test_accepted_hostnames_are_lower_case_ascii_and_a_fixed_point(raw: object) -> None:
    result = outcome(clean_hostname, raw)
    if isinstance(result, InvalidValue):
        return
    assert isinstance(raw, str)
    assert isinstance(result, str)
    assert result == raw.lower(), "only the case may change"
    assert result == result.lower()
    assert result.isascii()
    assert clean_hostname(result) == result
    assert not any(ch.isspace() or ch in "@/?#;%" for ch in result), result
    assert no_control(result)
    assert sip_grammar.hostport_ok(result), f"{result!r} is not an RFC 3261 hostport"


# --- tech prefix / postfix --------------------------------------------------------------------

ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def _uri_user_ok(text: str) -> bool:
    return all(ch in URI_USER_CHARS for ch in ESCAPE.sub("", text))


@budget.pure()
@given(tech_prefixes())
def test_documented_prefixes_are_accepted_unchanged(raw: str) -> None:
    assert clean_tech_prefix(raw) == raw


@budget.pure()
@given(tech_postfixes())
def test_documented_postfixes_are_accepted_with_the_host_lower_cased(raw: str) -> None:
    user, at, host = raw.partition("@")
    assert clean_tech_postfix(raw) == user + at + host.lower()


@budget.pure()
@given(st.one_of(affix_like(), NOT_A_STRING))
@example("%4")
@example("1#")
@example("a@b")
@example("%23%40")
def test_accepted_prefixes_keep_the_uri_user_part_valid(raw: object) -> None:
    result = outcome(clean_tech_prefix, raw)
    if isinstance(result, InvalidValue):
        return
    assert result == raw
    assert isinstance(result, str)
    assert len(result) <= 64
    assert _uri_user_ok(result), result
    assert clean_tech_prefix(result) == result


@budget.pure()
@given(st.one_of(affix_like(), NOT_A_STRING))
@example(";npdi@Provider.COM")
@example("@a@b")
@example("x@")
def test_accepted_postfixes_keep_the_uri_valid_and_are_a_fixed_point(raw: object) -> None:
    result = outcome(clean_tech_postfix, raw)
    if isinstance(result, InvalidValue):
        return
    assert isinstance(raw, str)
    assert isinstance(result, str)
    assert len(result) <= 64
    assert result.count("@") <= 1
    user, at, host = result.partition("@")
    assert _uri_user_ok(user), user
    if at:
        assert clean_hostname(host) == host
    assert result == raw.partition("@")[0] + at + raw.partition("@")[2].lower()
    assert clean_tech_postfix(result) == result


# --- name / detail ----------------------------------------------------------------------------

SPACES = st.text(alphabet=" \u00a0\u2003", max_size=3)
NAME_LIKE = st.one_of(
    st.text(max_size=300),
    near_miss_text(string.ascii_letters + " ", max_size=300),
    st.tuples(SPACES, st.text(min_size=1, max_size=20), SPACES).map("".join),
)


@budget.pure()
@given(st.one_of(NAME_LIKE, NOT_A_STRING))
@example("  Telnyx EU  ")
@example(" Telnyx \u2028")
@example("a" * 255 + "   ")
@example("\t Telnyx")
def test_accepted_names_are_trimmed_bounded_without_controls_and_a_fixed_point(
    raw: object,
) -> None:
    result = outcome(clean_name, raw)
    if isinstance(result, InvalidValue):
        return
    assert isinstance(raw, str)
    assert isinstance(result, str)
    assert 1 <= len(result) <= 255
    assert result == result.strip() == raw.strip()
    assert no_control(result)
    assert clean_name(result) == result


@budget.pure()
@given(st.one_of(st.text(max_size=4200), near_miss_text("ab \n\t\r", max_size=50), NOT_A_STRING))
def test_accepted_details_are_kept_as_given_without_controls_but_lf_and_tab(raw: object) -> None:
    result = outcome(clean_detail, raw)
    if isinstance(result, InvalidValue):
        return
    assert result == raw
    assert isinstance(result, str)
    assert len(result) <= 4096
    assert no_control(result, allowed="\n\t")
    assert clean_detail(result) == result


# --- metadata ---------------------------------------------------------------------------------


def holds_nul(value: Any) -> bool:
    """Whether a NUL is in any string or key of a JSON value."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


@budget.pure(150)
@given(st.one_of(json_values(), st.dictionaries(st.text(max_size=8), json_values(), max_size=6)))
def test_accepted_metadata_is_a_bounded_json_object_copied_not_shared(raw: Any) -> None:
    result = outcome(clean_metadata, raw)
    if isinstance(result, InvalidValue):
        assert (
            not isinstance(raw, dict)
            or json_depth(raw) > 8
            or len(compact_json(raw)) > 16384
            or holds_nul(raw)  # PostgreSQL's jsonb cannot store it
        ), result.message
        return
    assert not holds_nul(result), "stored metadata must not hold NUL"
    assert isinstance(raw, dict), "only an object is accepted"
    assert result == raw
    assert json_depth(result) <= 8
    assert len(compact_json(result)) <= 16384
    assert clean_metadata(result) == result
    # A deep copy: changing the client's value afterwards cannot change what is stored.
    before = copy.deepcopy(result)
    for value in raw.values():
        if isinstance(value, (list, dict)):
            value.clear()
    assert result == before


@budget.pure(50)
@given(st.integers(min_value=1, max_value=12), st.sampled_from(["list", "object"]))
def test_metadata_nesting_is_refused_past_eight_levels(depth: int, kind: str) -> None:
    nested: Any = 1
    for _ in range(depth - 1):
        nested = [nested] if kind == "list" else {"k": nested}
    value = {"top": nested}
    assert json_depth(value) == depth
    accepted = not isinstance(outcome(clean_metadata, value), InvalidValue)
    assert accepted == (depth <= 8)


# --- phone numbers ----------------------------------------------------------------------------


@budget.pure()
@given(typed_numbers())
@example(("+1 (555) 123-4567", "+15551234567"))
def test_typed_numbers_normalise_to_their_compact_form(sample: tuple[str, str]) -> None:
    typed, compact = sample
    assert normalize_number(typed) == compact
    assert normalize_number(compact) == compact


@budget.pure()
@given(
    st.one_of(
        near_miss_text("+0123456789 ()-.", max_size=25),
        st.text(max_size=20),
        NOT_A_STRING,
    )
)
@example("\uff11\uff12")  # fullwidth digits
@example("\u0661\u0662")  # Arabic-Indic digits
@example("+")
@example("1+1")
def test_accepted_numbers_are_an_optional_plus_and_1_to_15_ascii_digits(raw: object) -> None:
    result = outcome(normalize_number, raw)
    if isinstance(result, InvalidValue):
        return
    assert isinstance(result, str)
    assert re.fullmatch(r"\+?[0-9]{1,15}", result), result
    assert normalize_number(result) == result


@pytest.mark.parametrize("bad", [*LINE_BREAKERS, "\x85"])
@pytest.mark.parametrize(
    "rule",
    [clean_name, clean_tech_prefix, clean_tech_postfix, clean_hostname, normalize_number],
    ids=lambda rule: rule.__name__,
)
def test_single_line_fields_refuse_line_breaks_anywhere(
    rule: Callable[[object], Any], bad: str
) -> None:
    """A deterministic sweep, whatever the random draws above happened to cover: CR, LF, NUL and
    NEL in the middle, at the start and at the end. (U+2028/U+2029 are not control characters
    and the README allows them in names; the URI fields refuse them as non-ASCII.)"""
    for raw in (f"1{bad}1", f"{bad}1", f"1{bad}"):
        assert isinstance(outcome(rule, raw), InvalidValue), (rule.__name__, raw)
