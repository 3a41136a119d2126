"""The assembled GraphQL schema."""

import strawberry
from strawberry.tools import merge_types

from schema.errors import ErrorCodeEnum
from schema.providers.mutations import ProviderMutations
from schema.providers.queries import ProviderQueries

Query = merge_types("Query", (ProviderQueries,))
Mutation = merge_types("Mutation", (ProviderMutations,))


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, types=[ErrorCodeEnum])


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
