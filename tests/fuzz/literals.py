"""GraphQL literals for the JSON scalar, for schemathesis (which writes arguments inline).

A literal object's keys must be GraphQL names, so header names with '-' and other arbitrary keys
are left to the variables fuzzer (``test_http_fuzz``), which sends JSON variables.
"""

from typing import Any

import graphql
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from tests.properties.strategies import JSON_SCALARS

GRAPHQL_NAMES = st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,11}", fullmatch=True)
JSON_LITERAL_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(GRAPHQL_NAMES, children, max_size=4)
    ),
    max_leaves=12,
)


def value_node(value: Any) -> graphql.ValueNode:
    """A JSON value as a GraphQL literal."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([value_node(item) for item in value])
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=value_node(item))
            for key, item in value.items()
        ]
    )
