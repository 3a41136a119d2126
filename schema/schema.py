"""The assembled GraphQL schema."""

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.tools import merge_types

from schema.base import TrunkqlSchema
from schema.errors import ErrorCodeEnum
from schema.execution import PlainLeafExecutor
from schema.federation import FederationQueries, SubgraphSchema, subgraph_sdl
from schema.health.check_provider_health import HealthMutations
from schema.health.subscriptions import HealthSubscriptions
from schema.limits import SchemaLimits, limit_extensions
from schema.providers.mutations import ProviderMutations
from schema.providers.queries import ProviderQueries
from schema.routes.mutations import RouteMutations
from schema.routes.queries import RouteQueries

Query = merge_types("Query", (ProviderQueries, RouteQueries))
# The same, plus _service and _entities (TRUNKQL_FEDERATION=true).
FederatedQuery = merge_types("Query", (ProviderQueries, RouteQueries, FederationQueries))
Mutation = merge_types("Mutation", (ProviderMutations, RouteMutations, HealthMutations))
Subscription = merge_types("Subscription", (HealthSubscriptions,))


def build_schema(
    limits: SchemaLimits | None = None,
    extra_extensions: Sequence[Callable[[], SchemaExtension]] = (),
    *,
    federation: bool = False,
) -> strawberry.Schema:
    """``extra_extensions``: the server's own (metrics, say), as classes or factories.
    ``federation``: serve it as an Apollo Federation 2 subgraph (``schema.federation``)."""
    limits = limits or SchemaLimits()
    shared: dict[str, Any] = {
        "mutation": Mutation,
        "subscription": Subscription,
        "types": [ErrorCodeEnum],
        "extensions": [*limit_extensions(limits), *extra_extensions],
        "execution_context_class": PlainLeafExecutor,
    }
    if federation:
        return SubgraphSchema(
            sdl=schema_sdl(federation=True) if limits.introspection else None,
            query=FederatedQuery,
            **shared,
        )
    return TrunkqlSchema(query=Query, **shared)


def schema_sdl(*, federation: bool = False) -> str:
    """The schema in SDL, as committed in schema.graphql; with ``federation``, as the subgraph
    SDL a federation router composes (schema.graphql plus ``@link`` and ``@key``)."""
    sdl = build_schema().as_str() + "\n"
    return subgraph_sdl(sdl) if federation else sdl
