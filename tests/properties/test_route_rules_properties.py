"""Properties of the route rules (``services.route_rules``): target, priority, weight and ids.

As for the provider rules: what the README's route table calls valid is accepted (normalised as
documented), whatever is accepted satisfies the rule and is a fixed point, and every refusal is a
safe ``InvalidValue``.
"""

import re
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from services.route_rules import clean_priority, clean_target, clean_weight, uuid_rule
from services.validation import InvalidValue
from tests.properties import budget
from tests.properties.refusals import outcome
from tests.properties.strategies import DIGITS, mixed_case, near_miss_text

ANY_JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
)


# --- target -----------------------------------------------------------------------------------


@budget.pure()
@given(st.one_of(mixed_case(st.just("all")), DIGITS.map(lambda digits: "+" + digits)))
def test_documented_targets_are_accepted_all_stored_lower_case(raw: str) -> None:
    assert clean_target(raw) == ("all" if raw.lower() == "all" else raw)


@budget.pure()
@given(
    st.one_of(
        near_miss_text("+0123456789 alALl", max_size=20),
        mixed_case(st.sampled_from(["all", " all", "all ", "al", "alll"])),
        ANY_JSON_SCALAR,
    )
)
@example("+")
@example("44")
@example("+4 4")
@example("+" + "1" * 16)
@example("+\uff11")  # a fullwidth digit
@example("+\u0661")  # an Arabic-Indic digit
def test_accepted_targets_are_all_or_a_compact_e164_prefix(raw: object) -> None:
    result = outcome(clean_target, raw)
    if isinstance(result, InvalidValue):
        return
    assert isinstance(result, str)
    assert result == "all" or re.fullmatch(r"\+[0-9]{1,15}", result), result
    assert clean_target(result) == result


# --- priority / weight ------------------------------------------------------------------------


def _int_rule_property(rule: Callable[[object], Any], low: int, high: int, raw: object) -> None:
    result = outcome(rule, raw)
    in_range = type(raw) is int and low <= raw <= high
    if isinstance(result, InvalidValue):
        assert not in_range, f"{raw!r} is in {low}-{high} but was refused"
        return
    assert in_range, f"{raw!r} was accepted"
    assert result == raw
    assert type(result) is int


BOUNDARY_INTS = st.one_of(
    st.integers(),
    st.integers(min_value=-2, max_value=2),
    st.integers(min_value=65533, max_value=65538),
    st.floats(),
    st.booleans(),
    st.text(alphabet="0123456789", max_size=3),
)


@budget.pure()
@given(BOUNDARY_INTS)
@example(True)
@example(0.0)
@example(65536)
def test_priority_is_exactly_an_integer_from_0_to_65535(raw: object) -> None:
    _int_rule_property(clean_priority, 0, 65535, raw)


@budget.pure()
@given(BOUNDARY_INTS)
@example(0)
@example(False)
@example(10.0)
def test_weight_is_exactly_an_integer_from_1_to_65535(raw: object) -> None:
    _int_rule_property(clean_weight, 1, 65535, raw)


# --- ids --------------------------------------------------------------------------------------


@budget.pure()
@given(st.uuids(), st.sampled_from([str.lower, str.upper]))
def test_uuid_strings_are_accepted_in_either_case(value: uuid.UUID, case: Any) -> None:
    assert uuid_rule("provider_id")(case(str(value))) == value


@budget.pure()
@given(
    st.one_of(
        near_miss_text("0123456789abcdefABCDEF-{}", max_size=40),
        st.uuids().map(lambda u: str(u)[:-1]),
        ANY_JSON_SCALAR,
    )
)
def test_accepted_ids_are_uuids_that_name_themselves(raw: object) -> None:
    result = outcome(uuid_rule("customer_id"), raw)
    if isinstance(result, InvalidValue):
        assert "customer_id" in result.message
        return
    assert isinstance(result, uuid.UUID)
    assert uuid_rule("customer_id")(str(result)) == result
