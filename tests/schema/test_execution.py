"""The executor's short path for plain leaf fields answers exactly what Strawberry's own executor
answers: the same data and the same errors (message, path, null propagation), on the real schema
and on the cases the real data never produces (a null in a non-null field, a value the scalar
refuses)."""

import enum
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON

from schema.execution import PlainLeafExecutor, plain_leaf


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Item:
    name: str
    count: int
    ratio: float | None
    colour: Colour
    when: datetime | None
    extra: JSON | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


GOOD = Item(
    name="a",
    count=3,
    ratio=None,
    colour=Colour.RED,
    when=datetime(2026, 1, 1, tzinfo=UTC),
    extra=JSON({"k": [1]}),
)
# What a bug elsewhere could hand the schema: None for non-null fields, values the scalars refuse.
BAD_NAME = Item(name=None, count=1, ratio=1.5, colour=Colour.RED, when=None, extra=None)  # type: ignore[arg-type]
BAD_COUNT = Item(name="b", count="many", ratio=None, colour=Colour.RED, when=None, extra=None)  # type: ignore[arg-type]
BAD_COLOUR = Item(name="c", count=1, ratio=None, colour="purple", when=None, extra=None)  # type: ignore[arg-type]
BAD_WHEN = Item(name="d", count=1, ratio=None, colour=Colour.RED, when="yesterday", extra=None)  # type: ignore[arg-type]
BAD_RATIO = Item(name="e", count=1, ratio="half", colour=Colour.RED, when=None, extra=None)  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return [GOOD, BAD_NAME, BAD_COUNT, BAD_COLOUR, BAD_WHEN, BAD_RATIO]

    @strawberry.field
    def strict(self) -> list[Item]:
        return [GOOD, BAD_NAME]

    @strawberry.field
    def one(self) -> Item:
        return GOOD


class Middleware(SchemaExtension):
    """A resolve hook: every field must go through it, so the short path must stand aside."""

    seen = 0

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        Middleware.seen += 1
        return _next(root, info, *args, **kwargs)


QUERIES = [
    "{ items { name count ratio colour when extra shout } }",
    "{ strict { name count } }",
    "{ one { n: name c: count, name __typename } }",
    "{ one { ...F } items { ... on Item { colour } } } fragment F on Item { when extra }",
    "query($skip: Boolean!) { one { name @skip(if: $skip) count @include(if: $skip) } }",
]


def _answer(schema: strawberry.Schema, query: str) -> dict[str, Any]:
    result = schema.execute_sync(query, variable_values={"skip": True})
    errors = sorted(
        (json.dumps(error.formatted, sort_keys=True) for error in result.errors or []),
    )
    return {"data": result.data, "errors": errors}


@pytest.mark.parametrize("query", QUERIES)
def test_the_short_path_answers_what_strawberry_answers(query: str) -> None:
    ordinary = strawberry.Schema(query=Query)
    short = strawberry.Schema(query=Query, execution_context_class=PlainLeafExecutor)
    assert _answer(short, query) == _answer(ordinary, query)


def test_bad_values_are_errors_located_at_their_field() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=PlainLeafExecutor)
    result = schema.execute_sync("{ items { name count ratio colour when } }")
    paths = sorted(tuple(error.path or ()) for error in result.errors or [])
    assert paths == [
        ("items", 1, "name"),
        ("items", 2, "count"),
        ("items", 3, "colour"),
        ("items", 4, "when"),
        ("items", 5, "ratio"),
    ]
    items = result.data["items"] if result.data else None
    assert items is not None
    assert items[0] == {
        "name": "a",
        "count": 3,
        "ratio": None,
        "colour": "RED",
        "when": "2026-01-01T00:00:00+00:00",
    }
    assert items[1:4] == [None, None, None]  # non-null fields: the item is null
    assert items[5]["ratio"] is None  # nullable: the field is null


def test_a_resolve_hook_still_sees_every_field() -> None:
    schema = strawberry.Schema(
        query=Query, extensions=[Middleware], execution_context_class=PlainLeafExecutor
    )
    Middleware.seen = 0
    result = schema.execute_sync("{ one { name count colour } }")
    assert result.errors is None
    assert Middleware.seen == 4  # one, and its three fields


def test_only_plain_leaf_fields_take_the_short_path() -> None:
    fields = strawberry.Schema(query=Query)._schema.get_type("Item").fields  # type: ignore[union-attr]
    short = {name for name, field in fields.items() if plain_leaf(field) is not None}
    assert short == {"name", "count", "ratio", "colour", "when", "extra"}  # not shout: a resolver
