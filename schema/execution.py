"""GraphQL execution with a short path for plain leaf fields.

Most of what trunkql answers is leaf fields read straight off an object: a page of 100 providers
is 1,700 of them. graphql-core gives each one the full treatment — a resolve-info object, argument
handling, the resolver, an awaitable check, non-null unwrapping, leaf completion — which made those
fields most of a listing's cost (BENCHMARKS.md, finding 2). For a field Strawberry itself treats as
*basic* (no resolver, no extensions, no arguments: its resolver is the plain attribute read) whose
type is a scalar or enum, the answer is fully determined by the attribute and the type's
``serialize``; this executor computes exactly that and nothing else.

Anything unusual — a None for a non-null field, a value ``serialize`` refuses, an attribute that is
not there, middleware — goes the ordinary way (the same read again, which has no side effects), so
errors keep graphql-core's messages, paths and null propagation.
"""

import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, Undefined, UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

_MISSING = object()


class PlainLeaf(NamedTuple):
    attribute: str  # the Python attribute Strawberry's default resolver reads
    serialize: Callable[[Any], Any]
    nullable: bool


# Per schema (weakly: tests build many), per (object type, field name): the field's PlainLeaf, or
# None for a field that must take the ordinary path. Filled on first use; both are immutable.
_plans: "weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], PlainLeaf | None]]" = (
    weakref.WeakKeyDictionary()
)


def plain_leaf(field: GraphQLField) -> PlainLeaf | None:
    """How to answer ``field`` with no resolver call, if it is a plain attribute of a leaf type."""
    resolve = field.resolve
    if field.args or resolve is None or not getattr(resolve, "_is_default", False):
        return None  # a resolver of its own, arguments, or extensions (permissions, audit)
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.default_resolver is not getattr:
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type if nullable else field.type.of_type  # type: ignore[union-attr]
    if not is_leaf_type(leaf):
        return None
    leaf_type: GraphQLLeafType = leaf
    return PlainLeaf(definition.python_name, leaf_type.serialize, nullable)


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaf fields answered directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Middleware (an extension's resolve hook) must see every field: no short path then.
        self._leaf_plans: dict[tuple[str, str], PlainLeaf | None] | None = (
            None if manager is not None and manager.middlewares else _plans_for(self.schema)
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        plans = self._leaf_plans
        if plans is not None:
            field_name = field_details_list[0].node.name.value
            key = (parent_type.name, field_name)
            leaf = plans[key] if key in plans else self._plan(plans, key, parent_type)
            if leaf is not None:
                value = getattr(source, leaf.attribute, _MISSING)
                if value is None:
                    if leaf.nullable:
                        return None
                elif value is not _MISSING:
                    try:
                        serialized = leaf.serialize(value)
                    except Exception:  # the ordinary path raises it again, located and reported
                        serialized = Undefined
                    if serialized is not Undefined and serialized is not None:
                        return serialized
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _plan(
        self,
        plans: dict[tuple[str, str], PlainLeaf | None],
        key: tuple[str, str],
        parent_type: GraphQLObjectType,
    ) -> PlainLeaf | None:
        field = self.schema.get_field(parent_type, key[1])
        plan = plans[key] = plain_leaf(field) if field is not None else None
        return plan


def _plans_for(schema: GraphQLSchema) -> dict[tuple[str, str], PlainLeaf | None]:
    plans = _plans.get(schema)
    if plans is None:
        plans = _plans.setdefault(schema, {})
    return plans
