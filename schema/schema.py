"""The assembled GraphQL schema."""

import strawberry
from strawberry.tools import merge_types

from schema.errors import ErrorCodeEnum
from schema.health.check_provider_health import HealthMutations
from schema.health.subscriptions import HealthSubscriptions
from schema.limits import SchemaLimits, limit_extensions
from schema.providers.mutations import ProviderMutations
from schema.providers.queries import ProviderQueries
from schema.routes.mutations import RouteMutations
from schema.routes.queries import RouteQueries

Query = merge_types("Query", (ProviderQueries, RouteQueries))
Mutation = merge_types("Mutation", (ProviderMutations, RouteMutations, HealthMutations))
Subscription = merge_types("Subscription", (HealthSubscriptions,))


def build_schema(limits: SchemaLimits | None = None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ErrorCodeEnum],
        extensions=limit_extensions(limits or SchemaLimits()),
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
